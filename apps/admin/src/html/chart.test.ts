import { describe, expect, it } from 'vitest';
import { salesChart } from './chart.ts';

describe('the sales chart', () => {
  it('draws one bar per day, taller for more orders, with each day named for assistive tech', () => {
    const svg = salesChart(
      [
        { day: '2026-01-01', orders: 1, revenue: 1000 },
        { day: '2026-01-02', orders: 4, revenue: 9000 },
        { day: '2026-01-03', orders: 0, revenue: 0 },
      ],
      (m) => `$${m / 100}`,
    ).value;
    const heights = [...svg.matchAll(/class="bar"[^>]* height="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(heights).toHaveLength(3);
    expect(heights[1]).toBeGreaterThan(heights[0] ?? 0);
    expect(heights[2]).toBe(0);
    expect(svg).toContain('role="img"');
    expect(svg).toContain('<title>2026-01-02: 4 orders</title>');
    expect(svg).toContain('5 orders');
    expect(svg).toContain('$90');
  });

  it('escapes what it prints', () => {
    const svg = salesChart([{ day: '<script>', orders: 1, revenue: 1 }], () => '<b>').value;
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
  });
});
