import type { HttpApp } from '@emporium/platform';
import { html } from '@emporium/storefront';
import { Type } from 'typebox';
import { problemText, withQuery } from '../api/admin-api.ts';
import { type Dashboard, field, redirectWith, sendPage, staffRequest } from './context.ts';
import { adjustForm } from './product-pages.ts';

interface StockLevel {
  variant_id: string;
  on_hand: number;
  reserved: number;
  available: number;
}

const ListQuery = Type.Object({
  variant_id: Type.Optional(Type.String({ maxLength: 2000 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
});
const VariantParams = Type.Object({ variant_id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

/** Inventory: stock levels (keyset pages, or the variants asked for) and adjustments with a reason. */
export function registerInventoryPages(app: HttpApp, d: Dashboard): void {
  app.get(
    '/admin/ui/inventory',
    { schema: { hide: true, querystring: ListQuery } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'inventory:read');
      if (!who) return reply;
      const ids = (request.query.variant_id ?? '')
        .split(/[\s,]+/)
        .filter((x) => /^[A-Za-z0-9_-]{1,64}$/.test(x))
        .slice(0, 100);
      const res = await who.call<{ data: StockLevel[]; next_cursor: string | null }>({
        method: 'GET',
        path: withQuery('/admin/inventory', {
          variant_id: ids.length > 0 ? ids.join(',') : undefined,
          cursor: request.query.cursor,
          limit: 50,
        }),
      });
      const rows = res.status === 200 ? res.body.data : [];
      const write = who.can('inventory:write');
      return sendPage(
        d,
        request,
        reply,
        who,
        'Inventory',
        html`<h1>Inventory</h1>
<form class="filters" method="get" action="/admin/ui/inventory" role="search" aria-label="Find stock levels">
<div><label for="f-variants">Variant ids (comma-separated)</label><input id="f-variants" name="variant_id" size="50" value="${request.query.variant_id ?? ''}"></div>
<button type="submit">Show</button>
</form>
${res.status === 200 ? '' : html`<p class="flash error" role="alert">${problemText(res, 'Stock levels could not be read.')}</p>`}
<table>
<caption class="visually-hidden">Stock levels</caption>
<thead><tr><th scope="col">Variant</th><th scope="col" class="num">On hand</th><th scope="col" class="num">Reserved</th><th scope="col" class="num">Available</th>${write ? html`<th scope="col">Adjust</th>` : ''}</tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="${write ? 5 : 4}">No stock levels.</td></tr>` : ''}
${rows.map(
  (l) =>
    html`<tr><td>${l.variant_id}</td><td class="num">${l.on_hand}</td><td class="num">${l.reserved}</td><td class="num">${l.available}</td>${write ? html`<td>${adjustForm(who, l.variant_id, l.variant_id, request.url)}</td>` : ''}</tr>`,
)}
</tbody>
</table>
${res.status === 200 && res.body.next_cursor ? html`<nav aria-label="Pages"><a href="${withQuery('/admin/ui/inventory', { cursor: res.body.next_cursor })}">Next page</a></nav>` : ''}`,
      );
    },
  );

  app.post(
    '/admin/ui/inventory/:variant_id/adjust',
    { schema: { hide: true, params: VariantParams } },
    async (request, reply) => {
      const who = await staffRequest(d, request, reply, 'inventory:write');
      if (!who) return reply;
      const backField = field(request.body, 'back', 2000);
      const back =
        /^\/admin\/ui\/[^\s\\]*$/.test(backField) && !backField.startsWith('//')
          ? backField
          : '/admin/ui/inventory';
      const deltaText = field(request.body, 'delta', 12);
      const delta = Number(deltaText);
      const reason = field(request.body, 'reason', 200);
      if (!/^-?\d+$/.test(deltaText) || delta === 0 || !reason) {
        return redirectWith(d, request, reply, who, back, {
          kind: 'error',
          text: 'Enter a whole number of units other than 0 and a reason.',
        });
      }
      const res = await who.call<{ stock_level: StockLevel }>({
        method: 'POST',
        path: `/admin/inventory/${request.params.variant_id}/adjust`,
        body: { delta, reason },
      });
      return redirectWith(
        d,
        request,
        reply,
        who,
        back,
        res.status === 200
          ? {
              kind: 'notice',
              text: `Stock adjusted by ${delta}: ${res.body.stock_level.available} available.`,
            }
          : { kind: 'error', text: problemText(res, 'The stock could not be adjusted.') },
      );
    },
  );
}
