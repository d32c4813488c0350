import { AppError, type Money, newId } from '@emporium/platform';
import type { Transaction } from 'kysely';
import type { ShippingOption, ShippingPriceRule, ShippingZone } from '../contract/index.ts';
import { jsonb } from '../db/jsonb.ts';
import { toOption, toZone } from '../db/rows.ts';
import type { ShippingTables } from '../db/tables.ts';
import type { ShippingContext } from '../shipping-context.ts';

type Trx = Transaction<ShippingTables>;

export interface ZoneInput {
  name: string;
  countries: string[];
}

export interface OptionInput {
  name: string;
  description?: string | null;
  carrier?: string | null;
  rule: ShippingPriceRule;
  prices: Money[];
  enabled?: boolean;
  rank?: number;
}

export const zoneNotFound = (): AppError =>
  new AppError('zone_not_found', 404, 'This shipping zone was not found.');
export const optionNotFound = (): AppError =>
  new AppError('shipping_option_not_found', 404, 'This shipping option was not found.');

/**
 * Waits for a write that committed on its own and forgets the cached options (see OptionsCache);
 * a write given the caller's transaction leaves that to the caller, after its commit.
 */
async function committed<T>(ctx: ShippingContext, write: Promise<T>): Promise<T> {
  const result = await write;
  await ctx.options.invalidate();
  return result;
}

async function setCountries(trx: Trx, zoneId: string, countries: readonly string[]): Promise<void> {
  const wanted = [...new Set(countries)];
  if (wanted.length > 0) {
    const taken = await trx
      .selectFrom('shipping.zone_countries')
      .select(['country_code'])
      .where('country_code', 'in', wanted)
      .where('zone_id', '<>', zoneId)
      .execute();
    if (taken.length > 0) {
      const codes = taken.map((t) => t.country_code).sort();
      throw new AppError(
        'country_in_another_zone',
        409,
        `These countries already ship through another zone: ${codes.join(', ')}. Remove them there first.`,
        { extensions: { countries: codes } },
      );
    }
  }
  await trx.deleteFrom('shipping.zone_countries').where('zone_id', '=', zoneId).execute();
  if (wanted.length > 0) {
    await trx
      .insertInto('shipping.zone_countries')
      .values(wanted.map((country_code) => ({ country_code, zone_id: zoneId })))
      .execute();
  }
}

async function loadZone(trx: Trx, id: string): Promise<ShippingZone> {
  const row = await trx.selectFrom('shipping.zones').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw zoneNotFound();
  const countries = await trx
    .selectFrom('shipping.zone_countries')
    .select('country_code')
    .where('zone_id', '=', id)
    .execute();
  return toZone(
    row,
    countries.map((c) => c.country_code),
  );
}

export async function createZone(ctx: ShippingContext, input: ZoneInput, trx?: Trx): Promise<ShippingZone> {
  const run = async (t: Trx) => {
    const now = ctx.clock.now();
    const id = newId('shz');
    await t
      .insertInto('shipping.zones')
      .values({ id, name: input.name, created_at: now, updated_at: now })
      .execute();
    await setCountries(t, id, input.countries);
    return loadZone(t, id);
  };
  return trx ? run(trx) : committed(ctx, ctx.db.transaction(run));
}

export async function updateZone(
  ctx: ShippingContext,
  id: string,
  patch: Partial<ZoneInput>,
): Promise<ShippingZone> {
  const write = ctx.db.transaction(async (trx) => {
    const updated = await trx
      .updateTable('shipping.zones')
      .set({ ...(patch.name === undefined ? {} : { name: patch.name }), updated_at: ctx.clock.now() })
      .where('id', '=', id)
      .executeTakeFirst();
    if (updated.numUpdatedRows === 0n) throw zoneNotFound();
    if (patch.countries) await setCountries(trx, id, patch.countries);
    return loadZone(trx, id);
  });
  return committed(ctx, write);
}

export async function deleteZone(ctx: ShippingContext, id: string): Promise<void> {
  const r = await committed(
    ctx,
    ctx.db.primary.deleteFrom('shipping.zones').where('id', '=', id).executeTakeFirst(),
  );
  if (r.numDeletedRows === 0n) throw zoneNotFound();
}

export async function listZones(
  ctx: ShippingContext,
): Promise<Array<ShippingZone & { options: ShippingOption[] }>> {
  const db = ctx.db.primary;
  const [zones, countries, options] = await Promise.all([
    db.selectFrom('shipping.zones').selectAll().orderBy('name').orderBy('id').execute(),
    db.selectFrom('shipping.zone_countries').selectAll().execute(),
    db.selectFrom('shipping.options').selectAll().orderBy('rank').orderBy('id').execute(),
  ]);
  return zones.map((z) => ({
    ...toZone(
      z,
      countries.filter((c) => c.zone_id === z.id).map((c) => c.country_code),
    ),
    options: options.filter((o) => o.zone_id === z.id).map(toOption),
  }));
}

export async function createOption(
  ctx: ShippingContext,
  zoneId: string,
  input: OptionInput,
  trx?: Trx,
): Promise<ShippingOption> {
  const run = async (t: Trx) => {
    const zone = await t
      .selectFrom('shipping.zones')
      .select('id')
      .where('id', '=', zoneId)
      .executeTakeFirst();
    if (!zone) throw zoneNotFound();
    const now = ctx.clock.now();
    const row = {
      id: newId('sho'),
      zone_id: zoneId,
      name: input.name,
      description: input.description ?? null,
      carrier: input.carrier ?? null,
      rule: input.rule,
      prices: input.prices,
      enabled: input.enabled ?? true,
      rank: input.rank ?? 0,
      created_at: now,
      updated_at: now,
    };
    await t
      .insertInto('shipping.options')
      .values({ ...row, rule: jsonb(row.rule), prices: jsonb(row.prices) })
      .execute();
    return toOption(row);
  };
  return trx ? run(trx) : committed(ctx, ctx.db.transaction(run));
}

export async function updateOption(
  ctx: ShippingContext,
  id: string,
  patch: Partial<OptionInput>,
): Promise<ShippingOption> {
  const set = {
    ...(patch.name === undefined ? {} : { name: patch.name }),
    ...(patch.description === undefined ? {} : { description: patch.description }),
    ...(patch.carrier === undefined ? {} : { carrier: patch.carrier }),
    ...(patch.rule === undefined ? {} : { rule: jsonb(patch.rule) }),
    ...(patch.prices === undefined ? {} : { prices: jsonb(patch.prices) }),
    ...(patch.enabled === undefined ? {} : { enabled: patch.enabled }),
    ...(patch.rank === undefined ? {} : { rank: patch.rank }),
    updated_at: ctx.clock.now(),
  };
  const row = await committed(
    ctx,
    ctx.db.primary
      .updateTable('shipping.options')
      .set(set)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst(),
  );
  if (!row) throw optionNotFound();
  return toOption(row);
}

export async function deleteOption(ctx: ShippingContext, id: string): Promise<void> {
  const r = await committed(
    ctx,
    ctx.db.primary.deleteFrom('shipping.options').where('id', '=', id).executeTakeFirst(),
  );
  if (r.numDeletedRows === 0n) throw optionNotFound();
}
