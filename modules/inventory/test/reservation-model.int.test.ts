import { databaseKinds } from '@emporium/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StockLevel } from '../src/contract/index.ts';
import { openInventory, type TestInventory } from './support.ts';

/**
 * Model-based property test: random sequences of adjust / set / reserve / commit / release /
 * advance-the-clock / sweep run against the real service on a real database and against a plain
 * in-memory model of what they mean. After every step the levels must equal the model's and
 * available stock must never be negative; after each sequence the stored counters must equal the
 * held lines behind them, and the ledger must add up to on-hand stock.
 */

const VARIANTS = 3;
const HOLDERS = 3;

type Command =
  | { kind: 'adjust'; v: number; delta: number }
  | { kind: 'set'; v: number; available: number }
  | { kind: 'reserve'; holder: number; lines: Array<{ v: number; quantity: number }>; ttlMs: number }
  | { kind: 'commit'; ref: number }
  | { kind: 'release'; ref: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'sweep' };

const variant = fc.integer({ min: 0, max: VARIANTS - 1 });
// Small numbers on purpose: stock runs out often, and clock steps land exactly on expiry times.
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({
    kind: fc.constant('adjust' as const),
    v: variant,
    delta: fc.integer({ min: -4, max: 5 }).filter((d) => d !== 0),
  }),
  fc.record({ kind: fc.constant('set' as const), v: variant, available: fc.integer({ min: 0, max: 5 }) }),
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('reserve' as const),
      holder: fc.integer({ min: 0, max: HOLDERS - 1 }),
      lines: fc.array(fc.record({ v: variant, quantity: fc.integer({ min: 1, max: 3 }) }), { maxLength: 3 }),
      ttlMs: fc.constantFrom(1_000, 2_000),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('commit' as const), ref: fc.nat() }) },
  fc.record({ kind: fc.constant('release' as const), ref: fc.nat() }),
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(500, 1_000) }),
  },
  fc.record({ kind: fc.constant('sweep' as const) }),
);
const initialStock = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: VARIANTS, maxLength: VARIANTS });

interface ModelReservation {
  id: string;
  holder: string;
  lines: Map<string, number>;
  expiresAt: number;
  status: 'active' | 'committed' | 'released' | 'expired';
}

class Model {
  readonly onHand = new Map<string, number>();
  readonly reservations: ModelReservation[] = [];
  now: number;
  constructor(now: number) {
    this.now = now;
  }
  isLive = (r: ModelReservation): boolean => r.status === 'active' && r.expiresAt > this.now;
  reserved(v: string, except?: ModelReservation): number {
    let sum = 0;
    for (const r of this.reservations) if (r !== except && this.isLive(r)) sum += r.lines.get(v) ?? 0;
    return sum;
  }
  level(v: string): StockLevel {
    const onHand = this.onHand.get(v) ?? 0;
    const reserved = this.reserved(v);
    return { variantId: v, onHand, reserved, available: onHand - reserved };
  }
  /** Ends an active hold the way the service does: expired if it has lapsed, else released. */
  settle(r: ModelReservation): void {
    r.status = r.expiresAt <= this.now ? 'expired' : 'released';
  }
}

let runs = 0;

async function runSequence(inv: TestInventory, initial: number[], commands: Command[]): Promise<void> {
  const run = `r${runs++}`;
  const variants = Array.from({ length: VARIANTS }, (_, i) => `var_${run}_${i}`);
  const v = (i: number): string => variants[i] ?? 'var_none';
  const model = new Model(inv.clock.now().getTime());
  const pick = (ref: number): ModelReservation | undefined =>
    model.reservations[ref % (model.reservations.length + 1)];
  const change = { actor: 'test', reason: 'property' };
  for (const [i, units] of initial.entries()) {
    if (units === 0) continue;
    await inv.service.adjust(v(i), units, change);
    model.onHand.set(v(i), units);
  }

  for (const cmd of commands) {
    switch (cmd.kind) {
      case 'adjust': {
        const id = v(cmd.v);
        const before = model.level(id);
        const fits = before.onHand + cmd.delta >= before.reserved;
        const r = await inv.service.adjust(id, cmd.delta, change);
        expect(r.ok, `adjust ${id} by ${cmd.delta}`).toBe(fits);
        if (fits) model.onHand.set(id, before.onHand + cmd.delta);
        break;
      }
      case 'set': {
        const id = v(cmd.v);
        const r = await inv.service.setAvailable(id, cmd.available, change);
        expect(r.ok).toBe(true);
        model.onHand.set(id, model.reserved(id) + cmd.available);
        break;
      }
      case 'reserve': {
        const holder = `cart_${run}_${cmd.holder}`;
        const lines = cmd.lines.map((l) => ({ variantId: v(l.v), quantity: l.quantity }));
        const wanted = new Map<string, number>();
        for (const l of lines) wanted.set(l.variantId, (wanted.get(l.variantId) ?? 0) + l.quantity);
        const previous = model.reservations.find((r) => r.holder === holder && r.status === 'active');
        const shortages = [...wanted]
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([id, requested]) => ({
            variantId: id,
            requested,
            available: (model.onHand.get(id) ?? 0) - model.reserved(id, previous),
          }))
          .filter((s) => s.requested > s.available);
        const r = await inv.service.reserve(holder, lines, { ttlMs: cmd.ttlMs });
        if (shortages.length > 0) {
          expect(r).toEqual({ ok: false, code: 'out_of_stock', shortages });
        } else {
          if (!r.ok) throw new Error(`expected a hold, got ${JSON.stringify(r)}`);
          if (previous) model.settle(previous);
          model.reservations.push({
            id: r.reservationId,
            holder,
            lines: wanted,
            expiresAt: model.now + cmd.ttlMs,
            status: 'active',
          });
        }
        break;
      }
      case 'commit': {
        const target = pick(cmd.ref);
        const r = await inv.service.commit(target?.id ?? 'res_unknown');
        if (!target) {
          expect(r).toEqual({ ok: false, code: 'reservation_not_found' });
        } else if (target.status === 'active' && model.isLive(target)) {
          expect(r).toEqual({ ok: true });
          for (const [id, q] of target.lines) model.onHand.set(id, (model.onHand.get(id) ?? 0) - q);
          target.status = 'committed';
        } else if (target.status === 'active' || target.status === 'expired') {
          expect(r).toEqual({ ok: false, code: 'reservation_expired' });
          target.status = 'expired';
        } else {
          expect(r).toEqual(
            target.status === 'committed' ? { ok: true } : { ok: false, code: 'reservation_released' },
          );
        }
        break;
      }
      case 'release': {
        const target = pick(cmd.ref);
        await inv.service.release(target?.id ?? 'res_unknown');
        if (target?.status === 'active') model.settle(target);
        break;
      }
      case 'advance':
        inv.clock.advance(cmd.ms);
        model.now += cmd.ms;
        break;
      case 'sweep': {
        const lapsed = model.reservations.filter((r) => r.status === 'active' && r.expiresAt <= model.now);
        for (const r of lapsed) r.status = 'expired';
        expect((await inv.sweep()).reservations).toBe(lapsed.length);
        break;
      }
    }
    const levels = await inv.service.levels(variants);
    expect(levels, `after ${JSON.stringify(cmd)}`).toEqual(variants.map((id) => model.level(id)));
    for (const l of levels) expect(l.available).toBeGreaterThanOrEqual(0);
  }

  for (const id of variants) {
    const raw = await inv.raw(id);
    expect(raw.reserved, `stored reserved of ${id}`).toBe(raw.heldUnits);
    expect(raw.ledgerSum, `ledger of ${id}`).toBe(raw.onHand);
  }
  // Leave nothing active for the next sequence's sweeps to count.
  inv.clock.advance(86_400_000);
  await inv.sweep();
}

describe.each(databaseKinds())('reservation logic against a model on %s', (kind) => {
  let inv: TestInventory;
  beforeAll(async () => {
    inv = await openInventory(kind);
  });
  afterAll(async () => {
    await inv.close();
  });

  it('keeps levels equal to the model and available stock never negative', async () => {
    await fc.assert(
      fc.asyncProperty(
        initialStock,
        fc.array(command, { minLength: 1, maxLength: 30 }),
        (initial, commands) => runSequence(inv, initial, commands),
      ),
      { numRuns: kind === 'pglite' ? 40 : 25 },
    );
  });
});
