import { AppError, type HttpApp, requirePermission } from '@emporium/platform';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { NotifyContext } from '../service/notify-service.ts';

const Query = Type.Object(
  {
    type: Type.Optional(Type.String({ pattern: '^[a-z0-9_.]{1,100}$' })),
    key: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
    if (typeof after === 'string' && /^evt_[0-9a-z]{26}$/.test(after)) return after;
  } catch {
    // below
  }
  throw new AppError(
    'validation_failed',
    400,
    'Invalid request: /cursor is not a cursor from a previous page of this list.',
    {
      extensions: {
        errors: [{ path: '/cursor', message: 'is not a cursor from a previous page of this list' }],
      },
    },
  );
}

interface OutboxRow {
  id: string;
  type: string;
  key: string | null;
  payload: unknown;
  occurred_at: Date;
  published_at: Date | null;
}

/**
 * `GET /admin/events`: the most recent domain events from the platform outbox, newest first
 * (`audit:read`; payloads may hold customer emails) — the feed a future webhook sender will read.
 */
export function registerEventLogRoutes(app: HttpApp, ctx: NotifyContext): void {
  app.get(
    '/admin/events',
    {
      onRequest: requirePermission('audit:read'),
      schema: { tags: ['events (admin)'], summary: 'Recent domain events, newest first', querystring: Query },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor);
      const rows = await sql<OutboxRow>`
        select id, type, key, payload, occurred_at, published_at from platform.outbox
        where (${q.type ?? null}::text is null or type = ${q.type ?? null})
          and (${q.key ?? null}::text is null or key = ${q.key ?? null})
          and (${after ?? null}::text is null or id < ${after ?? null})
        order by id desc
        limit ${q.limit + 1}`.execute(ctx.db.primary);
      const data = rows.rows.slice(0, q.limit);
      const last = data[data.length - 1];
      return {
        data: data.map((r) => ({
          id: r.id,
          type: r.type,
          key: r.key,
          occurred_at: new Date(r.occurred_at).toISOString(),
          published_at: r.published_at ? new Date(r.published_at).toISOString() : null,
          payload: r.payload,
        })),
        next_cursor:
          rows.rows.length > q.limit && last
            ? Buffer.from(JSON.stringify({ after: last.id })).toString('base64url')
            : null,
      };
    },
  );
}
