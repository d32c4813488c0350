import type { AnyTransaction } from '@emporium/platform';

/** One line to hold: `quantity` units (a positive integer) of a variant. */
export interface ReservationLine {
  variantId: string;
  /** A positive integer, at most 1,000,000,000. Lines for the same variant are added together. */
  quantity: number;
}

/** The outcome of `reserve`: either every line is held, or none is (all or nothing). */
export type ReserveResult =
  | {
      ok: true;
      /** `res_…`: pass it to `commit` or `release`. */
      reservationId: string;
      /** When the hold lapses; from then on its units count as available again. */
      expiresAt: Date;
    }
  | {
      ok: false;
      code: 'out_of_stock';
      /** The lines that could not be held, with what is available for each right now. */
      shortages: Array<{ variantId: string; requested: number; available: number }>;
    };

/**
 * The outcome of `commit`. `reservation_expired`: the hold lapsed first (its units went back to
 * stock; reserve again). `reservation_released`: it was released, or replaced by a newer hold of
 * the same holder. `reservation_not_found`: no such reservation.
 */
export type CommitResult =
  | { ok: true }
  | { ok: false; code: 'reservation_expired' | 'reservation_released' | 'reservation_not_found' };

/** A variant's stock as staff see it. Unknown variants have every number at 0. */
export interface StockLevel {
  variantId: string;
  /** Units physically in stock (not yet sold). */
  onHand: number;
  /** Units held by unexpired reservations. */
  reserved: number;
  /** `onHand − reserved`: units that can be sold now. Never below zero. */
  available: number;
}

/** Who changes stock by hand, and why; kept in the append-only adjustment ledger. */
export interface StockChange {
  /** 1–200 characters, e.g. `cycle count`, `damaged in transit`. */
  reason: string;
  /** The staff member's or service's id (the access token's subject). */
  actor: string;
}

/**
 * The outcome of `adjust`. `stock_conflict`: the change would leave on-hand stock below zero,
 * below the units currently held for carts, or above 1,000,000,000; nothing changed, and `level`
 * says what it is now.
 */
export type AdjustResult =
  | { ok: true; level: StockLevel }
  | { ok: false; code: 'stock_conflict'; level: StockLevel };

/**
 * Stock per variant and reservations with expiry. `reserve` never oversells: available stock
 * (on hand − held) can never go below zero, whatever the concurrency, and an expired hold stops
 * counting the moment it expires (a background sweep only tidies up after it).
 *
 * Stock of a variant the inventory has never seen is 0 until staff set it.
 *
 * @example
 * const held = await inventory.reserve(cartId, [{ variantId, quantity: 2 }], { ttlMs: 15 * 60_000 });
 * if (!held.ok) return outOfStock(held.shortages);
 * // … authorize the payment …
 * const sold = await inventory.commit(held.reservationId);
 */
export interface InventoryService {
  /**
   * Holds stock for `holderId` (a cart or checkout id) until `ttlMs` from now (default: the
   * module's `reservationTtlMs`, 15 minutes); expired holds return to available stock
   * automatically. Reserving again for the same holder replaces its previous hold atomically: the
   * previous hold's units count as available for the new one, and if the new one cannot be held
   * the previous one stays as it was. `lines` may be empty (releases the holder's hold).
   */
  reserve(
    holderId: string,
    lines: readonly ReservationLine[],
    options?: { ttlMs?: number },
  ): Promise<ReserveResult>;
  /**
   * Turns a hold into a sale: on-hand stock goes down by each line, the hold goes. Idempotent:
   * committing a committed reservation answers ok again and changes nothing. Given `trx`, the
   * sale and its event are written in the caller's transaction (the caller nudges the event bus
   * after its commit); an expired hold found there is given back in it too, so the caller should
   * commit after a refusal as well, or leave the giving back to `release`.
   */
  commit(reservationId: string, trx?: AnyTransaction): Promise<CommitResult>;
  /**
   * `commit` for several holds at once, in the same few statements whatever their number (a
   * caller batching concurrent checkouts): each hold gets its own outcome, by id. Holds that
   * cannot be sold do not stop the others' sale.
   */
  commitMany(
    reservationIds: readonly string[],
    trx?: AnyTransaction,
  ): Promise<ReadonlyMap<string, CommitResult>>;
  /**
   * The hold's expiry, when it is active, still holds exactly `lines` (merged by variant, as
   * `reserve` merges them) and lasts at least `ttlMs` from now; otherwise null, and nothing
   * changed: `reserve` anew. One read, no lock: a hold that lasts long enough already needs no
   * renewal (a checkout of a cart whose hold is fresh).
   */
  lastingHold(
    reservationId: string,
    lines: readonly ReservationLine[],
    options: { ttlMs: number },
  ): Promise<{ expiresAt: Date } | null>;
  /** Gives held stock back (cart abandoned, payment failed). Idempotent; unknown ids are ignored. */
  release(reservationId: string): Promise<void>;
  /** Units available to sell now (on hand − active holds), per variant; unknown variants are 0. */
  available(variantIds: readonly string[]): Promise<Map<string, number>>;
  /** Full stock levels of the given variants, in the order asked (duplicates once). */
  levels(variantIds: readonly string[]): Promise<StockLevel[]>;
  /**
   * Adds `delta` (a non-zero integer; negative removes) to on-hand stock, e.g. goods received
   * or a recount. Recorded in the adjustment ledger with `change`.
   */
  adjust(variantId: string, delta: number, change: StockChange): Promise<AdjustResult>;
  /**
   * Sets on-hand stock so that `available` (an integer from 0 to 1,000,000,000) units are
   * available, whatever is held; held units stay held. `change.reason` defaults to `set`.
   * Returns `stock_conflict` only when held plus `available` exceeds 1,000,000,000.
   */
  setAvailable(
    variantId: string,
    available: number,
    change: Partial<StockChange> & Pick<StockChange, 'actor'>,
  ): Promise<AdjustResult>;
}
