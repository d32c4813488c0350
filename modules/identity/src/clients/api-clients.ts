import { randomBytes } from 'node:crypto';
import { type Clock, type Database, newId } from '@emporium/platform';
import { sql } from 'kysely';
import { sha256 } from '../crypto/field-crypto.ts';
import { checkRoles } from '../staff/staff-users.ts';

export interface ApiClient {
  clientId: string;
  name: string;
  roles: string[];
  createdBy: string | null;
  createdAt: Date;
  revokedAt: Date | null;
}

/**
 * Integration credentials: OAuth clients for the client-credentials grant at /auth/token. The
 * secret is returned once and stored as a hash. Revoking stops new tokens at once; tokens already
 * issued expire within their 10-minute lifetime.
 */
export function createApiClients(db: Database, clock: Clock) {
  const toClient = (r: {
    client_id: string;
    name: string;
    roles: string[];
    created_by: string | null;
    created_at: Date;
    revoked_at: Date | null;
  }): ApiClient => ({
    clientId: r.client_id,
    name: r.name,
    roles: r.roles,
    createdBy: r.created_by,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  });
  return {
    async create(input: {
      name: string;
      roles: string[];
      createdBy?: string | null;
    }): Promise<{ client: ApiClient; clientSecret: string }> {
      checkRoles(input.roles);
      const clientId = newId('cli');
      const clientSecret = randomBytes(32).toString('base64url');
      const now = clock.now();
      await sql`insert into identity.api_clients (client_id, name, secret_hash, roles, created_by, created_at)
        values (${clientId}, ${input.name}, ${sha256(clientSecret)}, ${sql`${input.roles}::text[]`}, ${input.createdBy ?? null}, ${now})`.execute(
        db.primary,
      );
      return {
        client: {
          clientId,
          name: input.name,
          roles: input.roles,
          createdBy: input.createdBy ?? null,
          createdAt: now,
          revokedAt: null,
        },
        clientSecret,
      };
    },
    async list(): Promise<ApiClient[]> {
      const r = await sql<
        Parameters<typeof toClient>[0]
      >`select client_id, name, roles, created_by, created_at, revoked_at
        from identity.api_clients order by client_id`.execute(db.primary);
      return r.rows.map(toClient);
    },
    async revoke(clientId: string): Promise<boolean> {
      const r = await sql`update identity.api_clients set revoked_at = ${clock.now()}
        where client_id = ${clientId} and revoked_at is null`.execute(db.primary);
      return Number(r.numAffectedRows ?? 0) === 1;
    },
  };
}

export type ApiClients = ReturnType<typeof createApiClients>;
