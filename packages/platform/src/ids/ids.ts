import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// ulid's default source asks the operating system for one byte per character (16 calls per id),
// which showed in CPU profiles of hot routes (every request gets an id). The same bytes, taken
// from a 4 KiB pool refilled from the CSPRNG: byte / 256 is what ulid's own source returns.
const pool = new Uint8Array(4096);
let next = pool.length;
const pooledRandom = (): number => {
  if (next === pool.length) {
    randomFillSync(pool);
    next = 0;
  }
  return (pool[next++] ?? 0) / 256;
};

/**
 * Prefixed, time-sortable identifiers: `prod_01JD…`. The body is a ULID (48-bit millisecond time
 * plus 80 random bits, Crockford base32), lower-cased so ids read well in URLs. Ids made in the same
 * millisecond by one process still sort in creation order (monotonic factory).
 */
const nextUlid = monotonicFactory(pooledRandom);

const PREFIX = /^[a-z][a-z0-9]{1,11}$/;

export function newId(prefix: string, at?: number): string {
  if (!PREFIX.test(prefix)) throw new Error(`id prefix must be 2-12 lower-case letters or digits: ${prefix}`);
  return `${prefix}_${(at === undefined ? nextUlid() : atTime(at)).toLowerCase()}`;
}

// An explicit time (bulk loads of historical data) must be encoded as given. A monotonic factory
// carries the latest time seen forward, so one that is handed an earlier time is replaced; ids of
// one given millisecond still sort in creation order.
let explicitUlid = monotonicFactory(pooledRandom);
let lastExplicit = Number.NEGATIVE_INFINITY;
function atTime(at: number): string {
  if (at < lastExplicit) explicitUlid = monotonicFactory(pooledRandom);
  lastExplicit = at;
  return explicitUlid(at);
}

const BODY = /^[0-9a-hjkmnp-tv-z]{26}$/;

/** True when `id` is `<prefix>_<ulid>` (for validating ids that arrive in requests). */
export function isId(id: string, prefix: string): boolean {
  const sep = id.indexOf('_');
  return sep > 0 && id.slice(0, sep) === prefix && BODY.test(id.slice(sep + 1));
}

/** The creation time encoded in an id. */
export function idTime(id: string): Date {
  const body = id.slice(id.indexOf('_') + 1).toUpperCase();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let ms = 0;
  for (const ch of body.slice(0, 10)) ms = ms * 32 + alphabet.indexOf(ch);
  return new Date(ms);
}
