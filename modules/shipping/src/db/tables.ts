import type { Money } from '@emporium/platform';
import type { Kysely } from 'kysely';
import type { ShipmentLine, ShippingPriceRule } from '../contract/index.ts';

export interface ZonesTable {
  id: string;
  name: string;
  created_at: Date;
  updated_at: Date;
}

export interface ZoneCountriesTable {
  country_code: string;
  zone_id: string;
}

export interface OptionsTable {
  id: string;
  zone_id: string;
  name: string;
  description: string | null;
  carrier: string | null;
  rule: ShippingPriceRule;
  prices: Money[];
  enabled: boolean;
  rank: number;
  created_at: Date;
  updated_at: Date;
}

export interface ShipmentsTable {
  id: string;
  order_id: string;
  carrier: string;
  tracking_number: string | null;
  tracking_url: string | null;
  lines: ShipmentLine[];
  idempotency_key: string | null;
  created_at: Date;
}

export interface ShippingTables {
  'shipping.zones': ZonesTable;
  'shipping.zone_countries': ZoneCountriesTable;
  'shipping.options': OptionsTable;
  'shipping.shipments': ShipmentsTable;
}

export type Reader = Kysely<ShippingTables>;
