import { randomUUID } from 'node:crypto';
import { type ColumnType, type Kysely, sql } from 'kysely';
import { type Clock, systemClock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import { jsonb } from '../events/jsonb.ts';

/** What identifies one idempotent request: the key is unique within (scope, owner). */
export interface IdempotencyClaimRequest {
  /** The operation, e.g. the route `POST /admin/orders/:id/refunds` or `checkout`. 1–200 chars. */
  scope: string;
  /** Whose key it is: the principal's subject, a cart id, … Two owners never see each other's keys. */
  owner: string;
  /** The client's `Idempotency-Key` (1–255 printable ASCII characters). */
  key: string;
  /** A hash of what the request asks for (see `requestFingerprint`); same key + other fingerprint → conflict. */
  fingerprint: string;
}

/** A response as stored for replay. `body` is the serialised payload exactly as first sent. */
export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A claim this caller holds: run the operation, then `complete` or `release` it. */
export interface IdempotencyClaim extends IdempotencyClaimRequest {
  readonly leaseToken: string;
}

/**
 * The outcome of `claim`:
 * - `claimed`: the first request (or a retry after a released/expired claim): run the operation.
 * - `replay`: it already ran to completion; answer `response` again and do not run anything.
 * - `conflict`: the key was used with a different request (409 `idempotency_conflict`).
 * - `in_progress`: the same request is running right now elsewhere (409 `idempotency_in_progress`,
 *   `Retry-After: retryAfterSeconds`).
 */
export type ClaimResult =
  | { outcome: 'claimed'; claim: IdempotencyClaim }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'conflict' }
  | { outcome: 'in_progress'; retryAfterSeconds: number };

/**
 * Idempotency keys backed by `platform.idempotency_keys` (PGlite and PostgreSQL alike). A key is
 * claimed atomically (one `INSERT … ON CONFLICT DO UPDATE … WHERE`), so among any number of
 * concurrent identical requests exactly one runs; the others get `in_progress` until it completes,
 * then `replay`. Keys live `ttlMs` (24 h) from their claim; `sweep` deletes expired ones, and an
 * expired key counts as unused even before the sweep.
 *
 * A claim whose holder died (crash, lost response) stays `running` until `leaseMs` after the
 * claim; then a retry with the same fingerprint takes it over and runs again. Operations behind a
 * key must therefore tolerate running again after a crash (checkout does, through its saga).
 *
 * @example
 * const store = createIdempotencyStore({ db: ports.db, clock: ports.clock });
 * const result = await store.claim({ scope: 'checkout', owner: cartId, key, fingerprint });
 * if (result.outcome === 'claimed') {
 *   try { const response = await run(); await store.complete(result.claim, response); }
 *   catch (err) { await store.release(result.claim); throw err; }
 * }
 */
export interface IdempotencyStore {
  claim(request: IdempotencyClaimRequest): Promise<ClaimResult>;
  /** Stores the response for replay. Ignored if the claim was lost (taken over after its lease). */
  complete(claim: IdempotencyClaim, response: StoredResponse): Promise<void>;
  /** Forgets the claim (the operation failed in a way a retry should redo: a 5xx, a crash). */
  release(claim: IdempotencyClaim): Promise<void>;
  /** Deletes keys expired as of `now` (default: the clock's now); resolves to how many. */
  sweep(now?: Date): Promise<number>;
}

export interface IdempotencyStoreOptions {
  db: Database;
  clock?: Clock;
  /** How long a key is remembered after its claim. Default 24 hours. */
  ttlMs?: number;
  /** How long a running claim is protected before a retry may take it over. Default 2 minutes. */
  leaseMs?: number;
}

type Jsonb<T> = ColumnType<T, unknown, unknown>;

interface IdempotencyKeysTable {
  scope: string;
  owner: string;
  key: string;
  fingerprint: string;
  state: 'running' | 'done';
  lease_token: string;
  locked_until: Date | null;
  response_status: number | null;
  response_headers: Jsonb<Record<string, string>> | null;
  response_body: string | null;
  created_at: Date;
  expires_at: Date;
}

interface Tables {
  'platform.idempotency_keys': IdempotencyKeysTable;
}

const DAY_MS = 24 * 60 * 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** True for a usable `Idempotency-Key`: 1–255 printable ASCII characters without spaces. */
export function isValidIdempotencyKey(key: string): boolean {
  return KEY.test(key);
}

export function createIdempotencyStore(options: IdempotencyStoreOptions): IdempotencyStore {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.ttlMs ?? DAY_MS;
  const leaseMs = options.leaseMs ?? 120_000;
  if (!Number.isInteger(ttlMs) || ttlMs < 1_000)
    throw new Error(`idempotency ttlMs must be an integer ≥ 1000, got ${ttlMs}`);
  if (!Number.isInteger(leaseMs) || leaseMs < 100 || leaseMs > ttlMs)
    throw new Error(`idempotency leaseMs must be an integer from 100 to ttlMs, got ${leaseMs}`);
  const db = (): Kysely<Tables> => options.db.as<Tables>().primary;

  return {
    async claim(request) {
      if (!isValidIdempotencyKey(request.key)) throw new Error('invalid Idempotency-Key reached the store');
      const now = clock.now();
      const leaseToken = randomUUID();
      // One statement: insert a fresh claim, or take over a row that expired or whose running
      // claim's lease lapsed (same request only). Concurrent duplicates block on the primary key
      // until the winner commits, then see its row and update nothing.
      const claimed = await db()
        .insertInto('platform.idempotency_keys')
        .values({
          scope: request.scope,
          owner: request.owner,
          key: request.key,
          fingerprint: request.fingerprint,
          state: 'running',
          lease_token: leaseToken,
          locked_until: new Date(now.getTime() + leaseMs),
          created_at: now,
          expires_at: new Date(now.getTime() + ttlMs),
        })
        .onConflict((oc) =>
          oc
            .columns(['scope', 'owner', 'key'])
            .doUpdateSet({
              fingerprint: (eb) => eb.ref('excluded.fingerprint'),
              state: 'running',
              lease_token: (eb) => eb.ref('excluded.lease_token'),
              locked_until: (eb) => eb.ref('excluded.locked_until'),
              response_status: null,
              response_headers: null,
              response_body: null,
              created_at: (eb) => eb.ref('excluded.created_at'),
              expires_at: (eb) => eb.ref('excluded.expires_at'),
            })
            .where((eb) =>
              eb.or([
                eb('platform.idempotency_keys.expires_at', '<=', now),
                eb.and([
                  eb('platform.idempotency_keys.state', '=', 'running'),
                  eb('platform.idempotency_keys.locked_until', '<=', now),
                  eb('platform.idempotency_keys.fingerprint', '=', eb.ref('excluded.fingerprint')),
                ]),
              ]),
            ),
        )
        .returning('lease_token')
        .executeTakeFirst();
      if (claimed?.lease_token === leaseToken) {
        return { outcome: 'claimed', claim: { ...request, leaseToken } };
      }
      const row = await db()
        .selectFrom('platform.idempotency_keys')
        .selectAll()
        .where('scope', '=', request.scope)
        .where('owner', '=', request.owner)
        .where('key', '=', request.key)
        .executeTakeFirst();
      // Released between our insert and this read: the caller may simply try again.
      if (!row) return { outcome: 'in_progress', retryAfterSeconds: 1 };
      if (row.fingerprint !== request.fingerprint) return { outcome: 'conflict' };
      if (row.state === 'done' && row.response_status !== null && row.response_body !== null) {
        return {
          outcome: 'replay',
          response: {
            status: row.response_status,
            headers: row.response_headers ?? {},
            body: row.response_body,
          },
        };
      }
      const left = (row.locked_until?.getTime() ?? now.getTime()) - now.getTime();
      return { outcome: 'in_progress', retryAfterSeconds: Math.max(1, Math.min(5, Math.ceil(left / 1000))) };
    },

    async complete(claim, response) {
      await db()
        .updateTable('platform.idempotency_keys')
        .set({
          state: 'done',
          locked_until: null,
          response_status: response.status,
          response_headers: jsonb(response.headers),
          response_body: response.body,
        })
        .where('scope', '=', claim.scope)
        .where('owner', '=', claim.owner)
        .where('key', '=', claim.key)
        .where('lease_token', '=', claim.leaseToken)
        .execute();
    },

    async release(claim) {
      await db()
        .deleteFrom('platform.idempotency_keys')
        .where('scope', '=', claim.scope)
        .where('owner', '=', claim.owner)
        .where('key', '=', claim.key)
        .where('lease_token', '=', claim.leaseToken)
        .execute();
    },

    async sweep(now = clock.now()) {
      const result = await sql<{ n: number }>`
        with gone as (delete from platform.idempotency_keys where expires_at <= ${now} returning 1)
        select count(*)::int as n from gone`.execute(db());
      return result.rows[0]?.n ?? 0;
    },
  };
}
