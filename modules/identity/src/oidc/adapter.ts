import type { Clock, Database } from '@emporium/platform';
import { sql } from 'kysely';
import type { Adapter, AdapterPayload } from 'oidc-provider';

/** Looks up clients that live outside the provider's own rows (integration credentials). */
export type ExternalClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/**
 * oidc-provider's storage in `identity.oidc_payloads`: one row per (model, id). Consuming a refresh
 * token marks it; `revokeByGrantId` deletes a whole grant's tokens (refresh-token reuse revokes the family).
 */
export function createAdapterClass(db: Database, clock: Clock, externalClients: ExternalClientLookup) {
  return class PostgresAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      const expiresAt = expiresIn ? new Date(clock.now().getTime() + expiresIn * 1000) : null;
      await sql`insert into identity.oidc_payloads (model, id, payload, grant_id, user_code, uid, expires_at)
        values (${this.model}, ${id}, ${JSON.stringify(payload)}::jsonb, ${payload.grantId ?? null},
          ${payload.userCode ?? null}, ${payload.uid ?? null}, ${expiresAt})
        on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
          user_code = excluded.user_code, uid = excluded.uid, expires_at = excluded.expires_at`.execute(
        db.primary,
      );
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = await this.#one(sql`id = ${id}`);
      if (!found && this.model === 'Client') return externalClients(id);
      return found;
    }

    findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return this.#one(sql`user_code = ${userCode}`);
    }

    findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return this.#one(sql`uid = ${uid}`);
    }

    async consume(id: string): Promise<void> {
      await sql`update identity.oidc_payloads set consumed_at = ${clock.now()}
        where model = ${this.model} and id = ${id}`.execute(db.primary);
    }

    async destroy(id: string): Promise<void> {
      await sql`delete from identity.oidc_payloads where model = ${this.model} and id = ${id}`.execute(
        db.primary,
      );
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await sql`delete from identity.oidc_payloads where grant_id = ${grantId}`.execute(db.primary);
    }

    async #one(where: ReturnType<typeof sql>): Promise<AdapterPayload | undefined> {
      const r = await sql<{ payload: AdapterPayload; consumed_at: Date | null; expires_at: Date | null }>`
        select payload, consumed_at, expires_at from identity.oidc_payloads
        where model = ${this.model} and ${where} limit 1`.execute(db.primary);
      const row = r.rows[0];
      if (!row) return undefined;
      if (row.expires_at && row.expires_at.getTime() <= clock.now().getTime()) return undefined;
      const payload =
        typeof row.payload === 'string' ? (JSON.parse(row.payload) as AdapterPayload) : row.payload;
      return row.consumed_at
        ? { ...payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) }
        : payload;
    }
  };
}
