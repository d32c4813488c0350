import type { Clock } from '@emporium/platform';

/**
 * CVCs in this process's memory only, never in a table, log or event: each kept until the
 * authorization that uses it reaches a final answer, or `ttlMs` (10 minutes), whichever is first.
 * A vault restart forgets them; authorizations then go without CVC (the processor decides).
 */
export interface CvcStore {
  put(token: string, cvc: string): void;
  /** The CVC if still held and not lapsed. */
  get(token: string): string | undefined;
  forget(token: string): void;
  /** Drops lapsed entries (called by a timer). */
  sweep(): void;
  readonly size: number;
}

export function createCvcStore(clock: Clock, ttlMs: number): CvcStore {
  const entries = new Map<string, { cvc: string; until: number }>();
  return {
    put(token, cvc) {
      entries.set(token, { cvc, until: clock.now().getTime() + ttlMs });
    },
    get(token) {
      const e = entries.get(token);
      if (!e) return undefined;
      if (e.until <= clock.now().getTime()) {
        entries.delete(token);
        return undefined;
      }
      return e.cvc;
    },
    forget(token) {
      entries.delete(token);
    },
    sweep() {
      const now = clock.now().getTime();
      for (const [token, e] of entries) if (e.until <= now) entries.delete(token);
    },
    get size() {
      return entries.size;
    },
  };
}
