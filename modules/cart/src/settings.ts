import { ConfigError, settings } from '@emporium/platform';

export interface CartOptions {
  /** How long stock stays held for a cart after its last line change. Default 30 minutes. */
  reservationTtlMs?: number;
  /** The currency of a cart created without one. Default `usd`. */
  defaultCurrency?: string;
  /** Lines a cart may hold. Default 100. */
  maxLines?: number;
}

/**
 * The cart's settings from the environment, read once by the composition root (modules never read
 * `process.env`). A bad value stops start-up with one line naming the variable.
 *
 * `EMPORIUM_CART_HOLD_MINUTES` (default 30, 1–1440): how long stock stays held for a cart after
 * its last line change.
 */
export function loadCartSettings(env: Readonly<Record<string, string | undefined>>): CartOptions {
  const r = settings.readSettings(
    { EMPORIUM_CART_HOLD_MINUTES: settings.integer({ min: 1, max: 1440, default: 30 }) },
    env,
  );
  if ('problems' in r) throw new ConfigError(r.problems);
  return Object.freeze({ reservationTtlMs: r.config.EMPORIUM_CART_HOLD_MINUTES * 60_000 });
}
