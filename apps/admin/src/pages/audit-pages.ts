import type { HttpApp } from '@emporium/platform';
import { html } from '@emporium/storefront';
import { Type } from 'typebox';
import { problemText, withQuery } from '../api/admin-api.ts';
import { formatDate } from '../html/format.ts';
import { type Dashboard, sendPage, staffRequest } from './context.ts';

interface AuditEntry {
  id: string;
  seq: number;
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  outcome: string;
  status: number;
  source_ip: string | null;
}

const Query = Type.Object({
  actor: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 200 })),
  outcome: Type.Optional(Type.String({ maxLength: 10 })),
  since: Type.Optional(Type.String({ maxLength: 10 })),
  until: Type.Optional(Type.String({ maxLength: 10 })),
  cursor: Type.Optional(Type.String({ maxLength: 20 })),
});
const OUTCOMES = ['success', 'denied', 'failure'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The audit log, newest first, searchable by actor, action, outcome and period. */
export function registerAuditPages(app: HttpApp, d: Dashboard): void {
  app.get('/admin/ui/audit-log', { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply, 'audit:read');
    if (!who) return reply;
    const q = request.query;
    const outcome = OUTCOMES.find((o) => o === q.outcome);
    const since = q.since && DATE.test(q.since) ? q.since : undefined;
    const until = q.until && DATE.test(q.until) ? q.until : undefined;
    const filters = { actor: q.actor || undefined, action: q.action || undefined, outcome, since, until };
    const res = await who.call<{ data: AuditEntry[]; next_cursor: string | null }>({
      method: 'GET',
      path: withQuery('/admin/audit-log', {
        actor: filters.actor,
        action: filters.action,
        outcome,
        since: since ? `${since}T00:00:00.000Z` : undefined,
        until: until ? new Date(Date.parse(`${until}T00:00:00.000Z`) + 86_400_000).toISOString() : undefined,
        cursor: q.cursor && /^\d{1,18}$/.test(q.cursor) ? q.cursor : undefined,
        limit: 50,
      }),
    });
    const rows = res.status === 200 ? res.body.data : [];
    return sendPage(
      d,
      request,
      reply,
      who,
      'Audit log',
      html`<h1>Audit log</h1>
<form class="filters" method="get" action="/admin/ui/audit-log" role="search" aria-label="Search the audit log">
<div><label for="a-actor">Actor (staff or client id)</label><input id="a-actor" name="actor" value="${q.actor ?? ''}" maxlength="64"></div>
<div><label for="a-action">Action (e.g. POST /admin/products)</label><input id="a-action" name="action" value="${q.action ?? ''}" maxlength="200"></div>
<div><label for="a-outcome">Outcome</label><select id="a-outcome" name="outcome"><option value="">Any</option>${OUTCOMES.map((o) => html`<option value="${o}"${o === outcome ? html` selected` : ''}>${o}</option>`)}</select></div>
<div><label for="a-since">From</label><input id="a-since" name="since" type="date" value="${since ?? ''}"></div>
<div><label for="a-until">To</label><input id="a-until" name="until" type="date" value="${until ?? ''}"></div>
<button type="submit">Search</button>
</form>
${res.status === 200 ? '' : html`<p class="flash error" role="alert">${problemText(res, 'The audit log could not be read.')}</p>`}
<table><caption class="visually-hidden">Audit entries, newest first</caption>
<thead><tr><th scope="col">When</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Outcome</th><th scope="col">From</th></tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="6">No entries match.</td></tr>` : ''}
${rows.map((r) => html`<tr><td>${formatDate(r.at)}</td><td>${r.actor ?? '—'}</td><td>${r.action}</td><td>${r.target ?? ''}</td><td>${r.outcome} (${r.status})</td><td>${r.source_ip ?? ''}</td></tr>`)}
</tbody></table>
${res.status === 200 && res.body.next_cursor ? html`<nav aria-label="Pages"><a href="${withQuery('/admin/ui/audit-log', { ...filters, cursor: res.body.next_cursor })}">Older entries</a></nav>` : ''}`,
    );
  });
}
