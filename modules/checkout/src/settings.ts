import { ConfigError, settings } from '@emporium/platform';
import { type CrashPoint, crashPoints } from './saga/run-saga.ts';

/** The checkout's settings, read by the composition root from the environment once at start-up. */
export interface CheckoutSettings {
  /** How long a checkout owns its saga before the recovery worker may take it over. */
  leaseMs: number;
  /** How often the recovery worker looks for interrupted checkouts. */
  recoveryIntervalMs: number;
  /** Test hook: the point at which the process kills itself (crash-recovery tests only). */
  crashAt: CrashPoint | undefined;
}

const crashPoint: settings.Reader<CrashPoint | undefined> = (raw) => {
  if (raw === undefined || raw === '') return { value: undefined };
  return (crashPoints as readonly string[]).includes(raw)
    ? { value: raw as CrashPoint }
    : { problem: `must be one of ${crashPoints.join(', ')} (got ${JSON.stringify(raw.slice(0, 40))})` };
};

const spec = {
  EMPORIUM_CHECKOUT_LEASE_MS: settings.integer({ min: 500, max: 3_600_000, default: 30_000 }),
  EMPORIUM_CHECKOUT_RECOVERY_INTERVAL_MS: settings.integer({ min: 50, max: 3_600_000, default: 5_000 }),
  EMPORIUM_CHECKOUT_CRASH_AT: crashPoint,
};

/**
 * Reads `EMPORIUM_CHECKOUT_LEASE_MS` (default 30000), `EMPORIUM_CHECKOUT_RECOVERY_INTERVAL_MS`
 * (default 5000) and the test hook `EMPORIUM_CHECKOUT_CRASH_AT`; throws a ConfigError naming
 * every bad one.
 */
export function loadCheckoutSettings(env: Readonly<Record<string, string | undefined>>): CheckoutSettings {
  const r = settings.readSettings(spec, env);
  if ('problems' in r) throw new ConfigError(r.problems);
  return {
    leaseMs: r.config.EMPORIUM_CHECKOUT_LEASE_MS,
    recoveryIntervalMs: r.config.EMPORIUM_CHECKOUT_RECOVERY_INTERVAL_MS,
    crashAt: r.config.EMPORIUM_CHECKOUT_CRASH_AT,
  };
}
