import { createHash } from 'node:crypto';
import { type Clock, type Database, type HttpApp, newId } from '@emporium/platform';
import { sql } from 'kysely';

export interface AuditEntry {
  actor: string | null;
  actorType: string | null;
  action: string;
  target: string | null;
  outcome: 'success' | 'denied' | 'failure';
  status: number;
  sourceIp: string | null;
  requestId: string | null;
}

export interface AuditRecord extends AuditEntry {
  seq: number;
  id: string;
  at: Date;
  hash: string;
}

export type AuditVerification =
  | { ok: true; rows: number }
  | { ok: false; rows: number; seq: number; problem: string };

const GENESIS = 'genesis';

interface Row {
  seq: string | number;
  id: string;
  at: Date;
  actor: string | null;
  actor_type: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number;
  source_ip: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

function rowHash(prev: string, r: Omit<Row, 'prev_hash' | 'hash'>): string {
  const body = JSON.stringify([
    Number(r.seq),
    r.id,
    new Date(r.at).toISOString(),
    r.actor,
    r.actor_type,
    r.action,
    r.target,
    r.outcome,
    r.status,
    r.source_ip,
    r.request_id,
  ]);
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

/**
 * The append-only audit log: every admin action and every denied admin request, each row chained
 * to the previous one by a SHA-256 hash. The table refuses UPDATE, DELETE and TRUNCATE (trigger).
 */
export function createAuditLog(db: Database, clock: Clock) {
  return {
    async append(entry: AuditEntry): Promise<void> {
      await db.transaction(async (trx) => {
        // One writer at a time extends the chain.
        await sql`select pg_advisory_xact_lock(hashtext('identity.audit_log'))`.execute(trx);
        const last = (
          await sql<{
            seq: string | number;
            hash: string;
          }>`select seq, hash from identity.audit_log order by seq desc limit 1`.execute(trx)
        ).rows[0];
        const row = {
          seq: last ? Number(last.seq) + 1 : 1,
          id: newId('aud'),
          at: clock.now(),
          actor: entry.actor,
          actor_type: entry.actorType,
          action: entry.action,
          target: entry.target,
          outcome: entry.outcome,
          status: entry.status,
          source_ip: entry.sourceIp,
          request_id: entry.requestId,
        };
        const prev = last?.hash ?? GENESIS;
        await sql`insert into identity.audit_log
            (seq, id, at, actor, actor_type, action, target, outcome, status, source_ip, request_id, prev_hash, hash)
          values (${row.seq}, ${row.id}, ${row.at}, ${row.actor}, ${row.actor_type}, ${row.action}, ${row.target},
            ${row.outcome}, ${row.status}, ${row.source_ip}, ${row.request_id}, ${prev}, ${rowHash(prev, row)})`.execute(
          trx,
        );
      });
    },

    async list(filter: {
      limit: number;
      cursor?: number | undefined;
      actor?: string | undefined;
      action?: string | undefined;
      outcome?: string | undefined;
      since?: Date | undefined;
      until?: Date | undefined;
    }): Promise<{ data: AuditRecord[]; nextCursor: string | null }> {
      const conditions = [sql`true`];
      if (filter.cursor !== undefined) conditions.push(sql`seq < ${filter.cursor}`);
      if (filter.actor) conditions.push(sql`actor = ${filter.actor}`);
      if (filter.action) conditions.push(sql`action = ${filter.action}`);
      if (filter.outcome) conditions.push(sql`outcome = ${filter.outcome}`);
      if (filter.since) conditions.push(sql`at >= ${filter.since}`);
      if (filter.until) conditions.push(sql`at < ${filter.until}`);
      const rows = (
        await sql<Row>`select * from identity.audit_log where ${sql.join(conditions, sql` and `)}
          order by seq desc limit ${filter.limit + 1}`.execute(db.primary)
      ).rows;
      const page = rows.slice(0, filter.limit);
      return {
        data: page.map((r) => ({
          seq: Number(r.seq),
          id: r.id,
          at: new Date(r.at),
          actor: r.actor,
          actorType: r.actor_type,
          action: r.action,
          target: r.target,
          outcome: r.outcome as AuditEntry['outcome'],
          status: r.status,
          sourceIp: r.source_ip,
          requestId: r.request_id,
          hash: r.hash,
        })),
        nextCursor: rows.length > filter.limit ? String(page.at(-1)?.seq) : null,
      };
    },

    /** Walks the chain from the first row: an edited row, a deleted row or a reordered row breaks it. */
    async verify(): Promise<AuditVerification> {
      let prev = GENESIS;
      let expectedSeq = 1;
      let count = 0;
      let after = 0;
      for (;;) {
        const rows = (
          await sql<Row>`select * from identity.audit_log where seq > ${after} order by seq limit 1000`.execute(
            db.primary,
          )
        ).rows;
        if (rows.length === 0) return { ok: true, rows: count };
        for (const r of rows) {
          const seq = Number(r.seq);
          if (seq !== expectedSeq)
            return { ok: false, rows: count, seq: expectedSeq, problem: `row ${expectedSeq} is missing` };
          if (r.prev_hash !== prev)
            return { ok: false, rows: count, seq, problem: `row ${seq} does not follow row ${seq - 1}` };
          if (rowHash(prev, r) !== r.hash)
            return { ok: false, rows: count, seq, problem: `row ${seq} was altered` };
          prev = r.hash;
          expectedSeq = seq + 1;
          after = seq;
          count++;
        }
      }
    },
  };
}

export type AuditLog = ReturnType<typeof createAuditLog>;

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Records every admin action (a mutating request under /admin) and every denied admin request
 * (401/403, any method). Written in `onSend`, before the response leaves, so that an action the
 * caller saw succeed is always in the log; a failure to write the record fails the request.
 */
export function installAuditHook(app: HttpApp, audit: AuditLog): void {
  // A callback hook, not an async one: every response passes here, and all but admin actions leave
  // at once, without a promise.
  app.addHook('onSend', (request, reply, payload, done) => {
    const url = request.url;
    if (!(url.startsWith('/admin/') || url === '/admin' || url.startsWith('/admin?'))) {
      return done(null, payload);
    }
    const status = reply.statusCode;
    const denied = status === 401 || status === 403;
    if (!denied && !MUTATING.has(request.method)) return done(null, payload);
    const route = request.routeOptions.url ?? url.split('?')[0] ?? url;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const target =
      Object.values(params).find((v): v is string => typeof v === 'string' && v.length > 0) ?? null;
    audit
      .append({
        actor: request.principal?.subject ?? null,
        actorType: request.principal?.kind ?? null,
        action: `${request.method} ${route}`,
        target,
        outcome: denied ? 'denied' : status < 400 ? 'success' : 'failure',
        status,
        sourceIp: request.ip ?? null,
        requestId: request.id ?? null,
      })
      .then(
        () => done(null, payload),
        (err: Error) => done(err),
      );
  });
}
