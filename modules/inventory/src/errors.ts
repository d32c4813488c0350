import { AppError, validationFailed } from '@emporium/platform';
import type { StockLevel } from './contract/index.ts';

/**
 * Every error code the inventory answers with besides the platform's own (`validation_failed`,
 * `unauthorized`, `forbidden`). The reservation codes are outcomes `InventoryService` returns to
 * other modules (checkout answers `out_of_stock` to shoppers); docs/errors.md documents each.
 */
export const inventoryErrorCodes = {
  out_of_stock:
    'Not enough units are available to hold every line; `shortages` lists each short line and what is available.',
  reservation_expired:
    'The stock hold lapsed before it was committed and its units went back to stock; reserve again.',
  reservation_released:
    'The stock hold was released, or replaced by a newer hold of the same cart, before it was committed.',
  reservation_not_found: 'No stock hold has this id.',
  stock_conflict:
    'The stock change would leave on-hand units below zero, below the units held for carts, or above 1,000,000,000; nothing changed.',
} as const;

export type InventoryErrorCode = keyof typeof inventoryErrorCodes;

/** The 409 an admin gets when an adjustment or set cannot apply; the problem carries the current level. */
export const stockConflict = (level: StockLevel, attempted: string): AppError =>
  new AppError(
    'stock_conflict',
    409,
    `Cannot ${attempted}: ${level.onHand} on hand, of which ${level.reserved} held for carts (stock stays between the held units and 1,000,000,000).`,
    { extensions: { on_hand: level.onHand, reserved: level.reserved, available: level.available } },
  );

/** A 422 for a call that breaks the service's input rules (a caller's bug; HTTP validates first). */
export const invalidInput = (path: string, message: string): AppError =>
  validationFailed(`Invalid inventory request: ${path} ${message}.`, [{ path, message }]);
