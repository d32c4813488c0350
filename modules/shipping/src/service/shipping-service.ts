import { money, newId, writeEvents } from '@emporium/platform';
import type {
  CreateShipmentInput,
  CreateShipmentResult,
  RateQuery,
  ShipmentCreated,
  ShippingOption,
  ShippingRate,
  ShippingService,
} from '../contract/index.ts';
import { shippingEvents } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { toOption, toShipment } from '../db/rows.ts';
import { priceOption } from '../rates/price-option.ts';
import type { ShippingContext } from '../shipping-context.ts';

const COUNTRY = /^[a-z]{2}$/;
const CURRENCY = /^[a-z]{3}$/;

function checkQuery(q: RateQuery): void {
  if (!COUNTRY.test(q.countryCode) || !CURRENCY.test(q.currencyCode)) {
    throw new Error(`invalid rate query: country ${q.countryCode}, currency ${q.currencyCode}`);
  }
  if (!Number.isSafeInteger(q.subtotal) || !Number.isSafeInteger(q.weightGrams) || q.weightGrams < 0) {
    throw new Error('invalid rate query: subtotal and weightGrams must be integers');
  }
}

const toRate = (row: ShippingOption, amount: number, currency: string): ShippingRate => ({
  option_id: row.id,
  name: row.name,
  description: row.description,
  carrier: row.carrier,
  price: money(amount, currency),
});

/** The shipping service over the module's tables. */
export function createShippingService(ctx: ShippingContext): ShippingService {
  const optionsFor = (countryCode: string): Promise<ShippingOption[]> =>
    ctx.options.forCountry(countryCode, async () => {
      const rows = await ctx.db.primary
        .selectFrom('shipping.zone_countries as zc')
        .innerJoin('shipping.options as o', 'o.zone_id', 'zc.zone_id')
        .selectAll('o')
        .where('zc.country_code', '=', countryCode)
        .where('o.enabled', '=', true)
        .orderBy('o.rank')
        .orderBy('o.id')
        .execute();
      return rows.map(toOption);
    });

  const rates = (options: ShippingOption[], q: RateQuery): ShippingRate[] =>
    options.flatMap((option) => {
      const amount = priceOption(option, q);
      return amount === undefined ? [] : [toRate(option, amount, q.currencyCode)];
    });

  return {
    async ratesFor(q) {
      checkQuery(q);
      return rates(await optionsFor(q.countryCode), q);
    },
    async rateFor(optionId, q) {
      checkQuery(q);
      return rates(await optionsFor(q.countryCode), q).find((r) => r.option_id === optionId);
    },
    async createShipment(input: CreateShipmentInput): Promise<CreateShipmentResult> {
      const problem = shipmentProblem(input);
      if (problem) return { ok: false, code: 'validation_failed', message: problem };
      const key = input.idempotency_key ?? null;
      const record = () =>
        ctx.db.transaction(async (trx) => {
          if (key !== null) {
            const existing = await trx
              .selectFrom('shipping.shipments')
              .selectAll()
              .where('idempotency_key', '=', key)
              .executeTakeFirst();
            if (existing) return { shipment: toShipment(existing), created: false };
          }
          const row = {
            id: newId('shp'),
            order_id: input.order_id,
            carrier: input.carrier,
            tracking_number: input.tracking_number,
            tracking_url: input.tracking_url ?? null,
            lines: input.lines.map((l) => ({
              line_id: l.line_id,
              variant_id: l.variant_id,
              quantity: l.quantity,
            })),
            idempotency_key: key,
            created_at: ctx.clock.now(),
          };
          await trx
            .insertInto('shipping.shipments')
            .values({ ...row, lines: jsonb(row.lines) })
            .execute();
          const shipment = toShipment(row);
          await writeEvents<ShipmentCreated>(
            trx,
            [{ type: shippingEvents.shipmentCreated, key: input.order_id, payload: { shipment } }],
            ctx.clock,
          );
          return { shipment, created: true };
        });
      let result: Awaited<ReturnType<typeof record>>;
      try {
        result = await record();
      } catch (err) {
        // Two calls with the same key at once: the loser finds the winner's shipment.
        if (key === null || (err as { code?: unknown } | null)?.code !== '23505') throw err;
        result = await record();
      }
      if (result.created) ctx.nudge();
      return { ok: true, shipment: result.shipment };
    },
    async listShipments(orderId) {
      const rows = await ctx.db.primary
        .selectFrom('shipping.shipments')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('id')
        .execute();
      return rows.map(toShipment);
    },
  };
}

function shipmentProblem(input: CreateShipmentInput): string | undefined {
  if (input.order_id.length === 0) return 'order_id is required.';
  if (input.carrier.length < 1 || input.carrier.length > 50) return 'carrier must be 1 to 50 characters.';
  const t = input.tracking_number;
  if (t !== null && (t.length < 1 || t.length > 100)) return 'tracking_number must be 1 to 100 characters.';
  const u = input.tracking_url;
  if (u != null && (!u.startsWith('https://') || u.length > 500)) return 'tracking_url must be an https URL.';
  if (input.lines.length === 0) return 'A shipment needs at least one line.';
  for (const l of input.lines) {
    if (!Number.isInteger(l.quantity) || l.quantity < 1)
      return `Line ${l.line_id} needs a positive quantity.`;
  }
  return undefined;
}
