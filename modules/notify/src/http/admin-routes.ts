import { AppError, type HttpApp, requirePermission } from '@emporium/platform';
import { Type } from 'typebox';
import type { NotifyContext } from '../service/notify-service.ts';

const Query = Type.Object(
  {
    kind: Type.Optional(Type.String({ pattern: '^[a-z0-9_.]{1,64}$' })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

const badCursor = () =>
  new AppError(
    'validation_failed',
    400,
    'Invalid request: /cursor is not a cursor from a previous page of this list.',
    {
      extensions: {
        errors: [{ path: '/cursor', message: 'is not a cursor from a previous page of this list' }],
      },
    },
  );

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
    if (typeof after === 'string' && /^msg_[0-9a-z]{26}$/.test(after)) return after;
  } catch {
    // below
  }
  throw badCursor();
}

/** `GET /admin/notifications`: messages sent or kept, newest first (needs `orders:read`). */
export function registerAdminRoutes(app: HttpApp, ctx: NotifyContext): void {
  app.get(
    '/admin/notifications',
    {
      onRequest: requirePermission('orders:read'),
      schema: { tags: ['notify (admin)'], summary: 'Emails sent or kept, newest first', querystring: Query },
    },
    async (request) => {
      const q = request.query;
      const after = decodeCursor(q.cursor);
      let sel = ctx.db.primary
        .selectFrom('notify.messages')
        .selectAll()
        .orderBy('id', 'desc')
        .limit(q.limit + 1);
      if (q.kind) sel = sel.where('kind', '=', q.kind);
      if (q.to) sel = sel.where('to_address', '=', q.to);
      if (after) sel = sel.where('id', '<', after);
      const rows = await sel.execute();
      const data = rows.slice(0, q.limit);
      const last = data[data.length - 1];
      return {
        data: data.map((r) => ({
          id: r.id,
          kind: r.kind,
          to: r.to_address,
          subject: r.subject,
          status: r.status,
          text: r.text_body,
          html: r.html_body,
          created_at: r.created_at.toISOString(),
        })),
        next_cursor:
          rows.length > q.limit && last
            ? Buffer.from(JSON.stringify({ after: last.id })).toString('base64url')
            : null,
      };
    },
  );
}
