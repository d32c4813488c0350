import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityPlatform, providerToken, startIdentity } from './support.ts';

/** The audit log on a real database: what the admin hook records, the API over it, and the chain. */
describe.each(databaseKinds())('audit log on %s', (kind) => {
  let env: IdentityPlatform;
  let owner: string;
  let support: string;
  beforeAll(async () => {
    env = await startIdentity(kind);
    owner = await providerToken(env, { sub: 'usr_owner', principal_type: 'staff', roles: ['owner'] });
    support = await providerToken(env, { sub: 'usr_support', principal_type: 'staff', roles: ['support'] });
  });
  afterAll(() => env.close());

  const inject = (method: 'GET' | 'POST', url: string, token?: string, payload?: object) =>
    env.platform.app.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'x-request-id': 'req-audit-test' },
      ...(payload ? { payload } : {}),
    });

  it('records admin actions and denied admin requests with actor, action, target, outcome, address, request id and time', async () => {
    const created = await inject('POST', '/admin/users', owner, {
      email: 'new@example.com',
      password: 'a long staff password',
      roles: ['support'],
    });
    expect(created.statusCode).toBe(201);
    const userId = created.json().user.id as string;
    expect((await inject('POST', `/admin/users/${userId}/reset-mfa`, owner)).statusCode).toBe(200);
    expect((await inject('GET', '/admin/users', support)).statusCode).toBe(403);
    expect((await inject('GET', '/admin/users')).statusCode).toBe(401);
    expect((await inject('GET', '/admin/users', owner)).statusCode).toBe(200);

    const log = await inject('GET', '/admin/audit-log?limit=10', owner);
    expect(log.statusCode).toBe(200);
    const rows = log.json().data;
    // Newest first; a successful read is not an action, so it is not recorded.
    expect(
      rows.map((r: { action: string; outcome: string; actor: string | null }) => [
        r.action,
        r.outcome,
        r.actor,
      ]),
    ).toEqual([
      ['GET /admin/users', 'denied', null],
      ['GET /admin/users', 'denied', 'usr_support'],
      ['POST /admin/users/:id/reset-mfa', 'success', 'usr_owner'],
      ['POST /admin/users', 'success', 'usr_owner'],
    ]);
    expect(rows[1]).toMatchObject({ status: 403, request_id: 'req-audit-test', source_ip: '127.0.0.1' });
    expect(rows[2]).toMatchObject({ target: userId });

    const denied = await inject('GET', '/admin/audit-log?outcome=denied&limit=1', owner);
    expect(denied.json().data).toHaveLength(1);
    const next = await inject(
      'GET',
      `/admin/audit-log?outcome=denied&limit=1&cursor=${denied.json().next_cursor}`,
      owner,
    );
    expect(next.json().data[0]).toMatchObject({ actor: 'usr_support' });
    expect((await inject('GET', '/admin/audit-log', support)).statusCode).toBe(403);
  });

  it('refuses UPDATE and DELETE of its rows in the database', async () => {
    const db = env.platform.ports.db.primary;
    await expect(sql`update identity.audit_log set actor = 'someone-else'`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from identity.audit_log`.execute(db)).rejects.toThrow(/append-only/);
    expect(await env.identity.audit.verify()).toMatchObject({ ok: true });
  });

  it('verification catches an edited row and a deleted row (made by someone who got past the trigger)', async () => {
    const db = env.platform.ports.db.primary;
    const before = await env.identity.audit.verify();
    expect(before.ok).toBe(true);
    await sql`alter table identity.audit_log disable trigger audit_log_append_only`.execute(db);
    try {
      await sql`update identity.audit_log set actor = 'usr_innocent' where seq = 2`.execute(db);
      expect(await env.identity.audit.verify()).toMatchObject({
        ok: false,
        seq: 2,
        problem: 'row 2 was altered',
      });
      await sql`update identity.audit_log set actor = 'usr_owner' where seq = 2`.execute(db);
      expect((await env.identity.audit.verify()).ok).toBe(true);
      await sql`delete from identity.audit_log where seq = 3`.execute(db);
      expect(await env.identity.audit.verify()).toMatchObject({
        ok: false,
        seq: 3,
        problem: 'row 3 is missing',
      });
    } finally {
      await sql`alter table identity.audit_log enable trigger audit_log_append_only`.execute(db);
    }
  });
});
