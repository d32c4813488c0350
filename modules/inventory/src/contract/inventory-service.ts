/** One line to hold: `quantity` units (a positive integer) of a variant. */
export interface ReservationLine {
  variantId: string;
  quantity: number;
}

/** The outcome of `reserve`: either every line is held, or none is (all or nothing). */
export type ReserveResult =
  | { ok: true; reservationId: string; expiresAt: Date }
  | {
      ok: false;
      code: 'out_of_stock';
      /** The lines that could not be held, with what is available for each right now. */
      shortages: Array<{ variantId: string; requested: number; available: number }>;
    };

export type CommitResult = { ok: true } | { ok: false; code: 'reservation_expired' | 'reservation_not_found' };

/**
 * Stock per variant and reservations with expiry. `reserve` never oversells: available stock
 * (on hand − held) can never go below zero, whatever the concurrency.
 */
export interface InventoryService {
  /**
   * Holds stock for `holderId` (a cart or checkout id) until `ttlMs` from now; expired holds
   * return to available stock automatically. Reserving again for the same holder replaces its
   * previous hold (the cart changed).
   */
  reserve(holderId: string, lines: readonly ReservationLine[], options?: { ttlMs?: number }): Promise<ReserveResult>;
  /** Turns a hold into a sale: on-hand stock goes down, the hold goes. Idempotent. */
  commit(reservationId: string): Promise<CommitResult>;
  /** Gives held stock back (cart abandoned, payment failed). Idempotent; unknown ids are ignored. */
  release(reservationId: string): Promise<void>;
  /** Units available to sell now (on hand − active holds), per variant; unknown variants are 0. */
  available(variantIds: readonly string[]): Promise<Map<string, number>>;
}
