import { type Html, html } from '@emporium/storefront';

export interface DayPoint {
  /** `YYYY-MM-DD` */
  day: string;
  orders: number;
  /** Minor units. */
  revenue: number;
}

/**
 * Orders (bars) and revenue (line) per day as inline SVG, drawn on the server: no chart library
 * and no script. The numbers are also in a table next to it (for screen readers and for reading).
 */
export function salesChart(points: readonly DayPoint[], revenueLabel: (minor: number) => string): Html {
  const width = 720;
  const height = 240;
  const pad = { left: 40, right: 70, top: 16, bottom: 36 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const maxOrders = Math.max(1, ...points.map((p) => p.orders));
  const maxRevenue = Math.max(1, ...points.map((p) => p.revenue));
  const step = points.length > 0 ? plotW / points.length : plotW;
  const barW = Math.max(2, step * 0.6);
  const y = (v: number, max: number) => pad.top + plotH - (v / max) * plotH;
  const bars = points.map((p, i) => {
    const x = pad.left + i * step + (step - barW) / 2;
    const top = y(p.orders, maxOrders);
    return html`<rect class="bar" x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(pad.top + plotH - top).toFixed(1)}"><title>${p.day}: ${p.orders} orders</title></rect>`;
  });
  const linePoints = points
    .map((p, i) => `${(pad.left + i * step + step / 2).toFixed(1)},${y(p.revenue, maxRevenue).toFixed(1)}`)
    .join(' ');
  const labelEvery = Math.max(1, Math.ceil(points.length / 8));
  const labels = points.map((p, i) =>
    i % labelEvery === 0
      ? html`<text x="${(pad.left + i * step + step / 2).toFixed(1)}" y="${height - 14}" text-anchor="middle">${p.day.slice(5)}</text>`
      : '',
  );
  const total = points.reduce((s, p) => s + p.orders, 0);
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="chart-title">
<title id="chart-title">Orders and revenue per day, ${points[0]?.day ?? ''} to ${points.at(-1)?.day ?? ''}: ${total} orders</title>
<line class="axis" x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}"></line>
<line class="axis" x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}"></line>
<text x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end">${maxOrders}</text>
<text x="${pad.left - 6}" y="${pad.top + plotH}" text-anchor="end">0</text>
<text x="${pad.left + plotW + 6}" y="${pad.top + 4}">${revenueLabel(maxRevenue)}</text>
${bars}
${points.length > 1 ? html`<polyline class="line" points="${linePoints}"></polyline>` : ''}
${labels}
</svg>`;
}
