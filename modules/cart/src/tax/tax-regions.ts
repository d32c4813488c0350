import { AppError, type Database, newId, systemClock } from '@emporium/platform';
import type { Selectable } from 'kysely';
import type { CartTables, TaxRegionsTable } from '../db/tables.ts';

/** A tax region as staff see it. `region` is null for the whole country. */
export interface TaxRegion {
  id: string;
  country_code: string;
  region: string | null;
  name: string;
  /** Basis points: 2000 = 20 %. */
  rate_bp: number;
  /** True when catalog prices include this tax (VAT); false when it is added on top. */
  inclusive: boolean;
  created_at: string;
  updated_at: string;
}

export interface TaxRegionInput {
  country_code: string;
  region?: string | null;
  name: string;
  rate_bp: number;
  inclusive: boolean;
}

export const toTaxRegion = (r: Selectable<TaxRegionsTable>): TaxRegion => ({
  id: r.id,
  country_code: r.country_code,
  region: r.region === '' ? null : r.region,
  name: r.name,
  rate_bp: r.rate_bp,
  inclusive: r.inclusive,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

export const taxRegionNotFound = (): AppError =>
  new AppError('tax_region_not_found', 404, 'This tax region was not found.');

const isUniqueViolation = (err: unknown): boolean => (err as { code?: unknown } | null)?.code === '23505';

export async function createTaxRegion(
  db: Database<CartTables>,
  input: TaxRegionInput,
  now: Date,
): Promise<TaxRegion> {
  const row = {
    id: newId('txr'),
    country_code: input.country_code,
    region: (input.region ?? '').trim().toLowerCase(),
    name: input.name,
    rate_bp: input.rate_bp,
    inclusive: input.inclusive,
    created_at: now,
    updated_at: now,
  };
  try {
    await db.primary.insertInto('cart.tax_regions').values(row).execute();
  } catch (err) {
    if (isUniqueViolation(err)) {
      throw new AppError(
        'tax_region_exists',
        409,
        `A tax region for ${row.country_code}${row.region ? `/${row.region}` : ''} exists already; change that one.`,
      );
    }
    throw err;
  }
  return toTaxRegion(row);
}

/**
 * Adds tax regions that do not exist yet (by country and region), for seeding; returns how many
 * were added. Existing ones are left as staff set them.
 */
export async function loadTaxRegions(db: Database, regions: readonly TaxRegionInput[]): Promise<number> {
  const now = systemClock.now();
  const rows = regions.map((r) => ({
    id: newId('txr'),
    country_code: r.country_code,
    region: (r.region ?? '').trim().toLowerCase(),
    name: r.name,
    rate_bp: r.rate_bp,
    inclusive: r.inclusive,
    created_at: now,
    updated_at: now,
  }));
  if (rows.length === 0) return 0;
  const added = await db
    .as<CartTables>()
    .primary.insertInto('cart.tax_regions')
    .values(rows)
    .onConflict((oc) => oc.columns(['country_code', 'region']).doNothing())
    .returning('id')
    .execute();
  return added.length;
}
