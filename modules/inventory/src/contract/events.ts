/** Events the inventory module writes to the outbox in the same transaction as the change. */
export const inventoryEvents = {
  /**
   * A variant's stock changed: on-hand (adjustment, set, sale) or held units (hold, release,
   * expiry). One event per variant per change, keyed by the variant id. Payload: {@link StockChanged}.
   */
  stockChanged: 'inventory.stock.changed.v1',
} as const;

/** Why a variant's stock changed: the `reason` of {@link StockChanged}. */
export type StockChangeReason = 'adjusted' | 'set' | 'reserved' | 'released' | 'expired' | 'committed';

/**
 * Payload of `inventory.stock.changed.v1`: the variant's stock right after the change. Consumers
 * (the catalog's cached `available` flag, search) should treat it as "read the level again" or use
 * the numbers as they are; events for one variant may arrive out of order, so never add deltas.
 *
 * @example
 * { variantId: 'var_01j…', onHand: 12, reserved: 2, available: 10, reason: 'adjusted' }
 */
export interface StockChanged {
  variantId: string;
  /** Units physically in stock, after the change. */
  onHand: number;
  /** Units held by unexpired reservations, after the change. */
  reserved: number;
  /** `onHand − reserved`: units that can be sold now. Never below zero. */
  available: number;
  /** `adjusted`, `set`, `reserved`, `released`, `expired`, `committed`. */
  reason: StockChangeReason;
}
