import type { Shipment, ShippingOption, ShippingZone } from '../contract/index.ts';
import type { OptionsTable, ShipmentsTable } from './tables.ts';

export const toOption = (r: OptionsTable): ShippingOption => ({
  id: r.id,
  zone_id: r.zone_id,
  name: r.name,
  description: r.description,
  carrier: r.carrier,
  rule: r.rule,
  prices: r.prices,
  enabled: r.enabled,
  rank: r.rank,
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

export const toZone = (
  r: { id: string; name: string; created_at: Date; updated_at: Date },
  countries: string[],
): ShippingZone => ({
  id: r.id,
  name: r.name,
  countries: [...countries].sort(),
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

export const toShipment = (r: ShipmentsTable): Shipment => ({
  id: r.id,
  order_id: r.order_id,
  carrier: r.carrier,
  tracking_number: r.tracking_number,
  tracking_url: r.tracking_url,
  lines: r.lines,
  created_at: r.created_at.toISOString(),
});
