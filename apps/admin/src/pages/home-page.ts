import type { HttpApp } from '@emporium/platform';
import { type Html, html } from '@emporium/storefront';
import { Type } from 'typebox';
import { withQuery } from '../api/admin-api.ts';
import { type DayPoint, salesChart } from '../html/chart.ts';
import { formatMoney } from '../html/format.ts';
import { NAV } from '../html/layout.ts';
import { type Dashboard, type StaffRequest, sendPage, staffRequest } from './context.ts';
import type { OrderSummary } from './order-pages.ts';

const Query = Type.Object({ days: Type.Optional(Type.String({ maxLength: 3 })) });
/** The overview reads at most this many orders (pages of 100) for its period. */
const MAX_ORDERS = 2000;
const COUNTED = new Set(['placed', 'partially_fulfilled', 'fulfilled', 'completed']);

/** Orders and revenue per day over the last `days` days, from the admin orders API (UTC days). */
export async function salesPerDay(
  who: StaffRequest,
  days: number,
  now: Date,
): Promise<{ points: DayPoint[]; currency: string | null; truncated: boolean }> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (days - 1)));
  const points: DayPoint[] = Array.from({ length: days }, (_, i) => ({
    day: new Date(start.getTime() + i * 86_400_000).toISOString().slice(0, 10),
    orders: 0,
    revenue: 0,
  }));
  const byDay = new Map(points.map((p) => [p.day, p]));
  let currency: string | null = null;
  let cursor: string | undefined;
  let seen = 0;
  do {
    const res = await who.call<{ data: OrderSummary[]; next_cursor: string | null }>({
      method: 'GET',
      path: withQuery('/admin/orders', { created_from: start.toISOString(), limit: 100, cursor }),
    });
    if (res.status !== 200) break;
    for (const o of res.body.data) {
      if (!COUNTED.has(o.status)) continue;
      const point = byDay.get((o.placed_at ?? o.created_at).slice(0, 10));
      if (!point) continue;
      point.orders += 1;
      currency ??= o.currency_code;
      if (o.currency_code === currency) point.revenue += o.total.amount - o.refunded_total.amount;
    }
    seen += res.body.data.length;
    cursor = res.body.next_cursor ?? undefined;
  } while (cursor && seen < MAX_ORDERS);
  return { points, currency, truncated: Boolean(cursor) };
}

/** `GET /admin`: the dashboard's home, a sales overview for those who may read orders. */
export function registerHomePage(app: HttpApp, d: Dashboard): void {
  app.get('/admin', { schema: { hide: true, querystring: Query } }, async (request, reply) => {
    const who = await staffRequest(d, request, reply);
    if (!who) return reply;
    const days = [7, 30, 90].find((n) => String(n) === request.query.days) ?? 30;
    let overview: Html = html``;
    if (who.can('orders:read')) {
      const { points, currency, truncated } = await salesPerDay(who, days, new Date());
      const money = (minor: number) =>
        currency ? formatMoney({ amount: minor, currency_code: currency }) : String(minor);
      const totalOrders = points.reduce((s, p) => s + p.orders, 0);
      const totalRevenue = points.reduce((s, p) => s + p.revenue, 0);
      overview = html`<h2>Sales, last ${days} days</h2>
<nav aria-label="Period"><a href="/admin?days=7">7 days</a> · <a href="/admin?days=30">30 days</a> · <a href="/admin?days=90">90 days</a></nav>
<p><strong>${totalOrders}</strong> orders · <strong>${money(totalRevenue)}</strong> revenue (net of refunds)${truncated ? html` <span class="muted">(from the newest ${MAX_ORDERS} orders)</span>` : ''}</p>
<p class="legend"><span><span class="swatch orders"></span>Orders (bars)</span><span><span class="swatch revenue"></span>Revenue (line)</span></p>
${salesChart(points, money)}
<details><summary>The numbers</summary>
<table><caption class="visually-hidden">Orders and revenue per day</caption>
<thead><tr><th scope="col">Day</th><th scope="col" class="num">Orders</th><th scope="col" class="num">Revenue</th></tr></thead>
<tbody>${points.map((p) => html`<tr><td>${p.day}</td><td class="num">${p.orders}</td><td class="num">${money(p.revenue)}</td></tr>`)}</tbody></table>
</details>`;
    }
    const links = NAV.filter((n) => n.href !== '/admin' && who.can(n.needs));
    return sendPage(
      d,
      request,
      reply,
      who,
      'Overview',
      html`<h1>Overview</h1>${overview}
<h2>Go to</h2><ul>${links.map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`)}</ul>`,
    );
  });
}
