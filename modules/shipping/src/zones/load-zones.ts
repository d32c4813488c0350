import { type Database, systemClock } from '@emporium/platform';
import type { ShippingTables } from '../db/tables.ts';
import { uncachedOptions } from '../rates/options-cache.ts';
import type { ShippingContext } from '../shipping-context.ts';
import { createOption, createZone, type OptionInput, type ZoneInput } from './zone-writes.ts';

/**
 * Creates zones with their options in one transaction, unless the shop already has any zone
 * (so a demo seed never duplicates or overrides what staff set up). Returns the zones created.
 */
export async function loadShippingZones(
  db: Database,
  zones: ReadonlyArray<ZoneInput & { options: OptionInput[] }>,
): Promise<number> {
  // A seed runs before the shop serves: there is nothing cached to invalidate.
  const ctx: ShippingContext = {
    db: db.as<ShippingTables>(),
    clock: systemClock,
    nudge: () => {},
    options: uncachedOptions,
  };
  return ctx.db.transaction(async (trx) => {
    const any = await trx.selectFrom('shipping.zones').select('id').limit(1).executeTakeFirst();
    if (any) return 0;
    for (const z of zones) {
      const zone = await createZone(ctx, { name: z.name, countries: z.countries }, trx);
      for (const o of z.options) await createOption(ctx, zone.id, o, trx);
    }
    return zones.length;
  });
}
