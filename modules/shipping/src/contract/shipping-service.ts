import type { Money } from '@emporium/platform';

/**
 * How an option is priced.
 * - `flat`: always `amount`.
 * - `free_above`: `amount`, or 0 when the cart's subtotal (items, after any inclusive tax is
 *   included in prices) reaches `free_above` in the same currency.
 * - `weight`: the first bracket whose `up_to_grams` is at least the cart's total weight (a
 *   bracket with `up_to_grams: null` catches every heavier cart); no bracket fits → not offered.
 */
export type ShippingPriceRule =
  | { kind: 'flat' }
  | { kind: 'free_above' /** Minor units of each currency the option is priced in. */; free_above: Money[] }
  | {
      kind: 'weight';
      /** Ascending by `up_to_grams`; each has a price per currency. */
      brackets: Array<{ up_to_grams: number | null; prices: Money[] }>;
    };

/** A set of countries that share shipping options, e.g. "Europe". A country is in at most one zone. */
export interface ShippingZone {
  /** `shz_…` */
  id: string;
  name: string;
  /** ISO 3166-1 alpha-2, lower-case, e.g. `['de', 'fr']`. */
  countries: string[];
  created_at: string;
  updated_at: string;
}

/**
 * A way to ship to a zone. `prices` holds the base price per currency (for `flat` and
 * `free_above`); a cart in a currency the option has no price for is not offered it.
 *
 * @example
 * { id: 'sho_01…', zone_id: 'shz_01…', name: 'Standard', rule: { kind: 'free_above',
 *   free_above: [{ amount: 7500, currency_code: 'usd' }] },
 *   prices: [{ amount: 599, currency_code: 'usd' }], enabled: true }
 */
export interface ShippingOption {
  /** `sho_…` */
  id: string;
  zone_id: string;
  /** Shown to shoppers, e.g. "Standard (3–5 days)". */
  name: string;
  description: string | null;
  /** Carrier that usually delivers it (informational), e.g. `ups`. */
  carrier: string | null;
  rule: ShippingPriceRule;
  prices: Money[];
  /** Disabled options are never offered. */
  enabled: boolean;
  /** Order in which options are listed (ascending). */
  rank: number;
  created_at: string;
  updated_at: string;
}

/** What a rate depends on: where, how much (items subtotal), how heavy, in which currency. */
export interface RateQuery {
  /** ISO 3166-1 alpha-2, lower-case. */
  countryCode: string;
  /** The cart's items subtotal in minor units of `currencyCode` (what `free_above` compares). */
  subtotal: number;
  currencyCode: string;
  /** Sum of line weights in grams (variants without a weight count as 0). */
  weightGrams: number;
}

/** An option a cart can choose, with its price for that cart. */
export interface ShippingRate {
  /** The option's id (`sho_…`): what a cart stores as its selected option. */
  option_id: string;
  name: string;
  description: string | null;
  carrier: string | null;
  /** Integer minor units in the query's currency; 0 when free. */
  price: Money;
}

/** One order line a shipment carries. */
export interface ShipmentLine {
  /** The order's line id. */
  line_id: string;
  variant_id: string;
  /** A positive integer. */
  quantity: number;
}

/** What `createShipment` needs (the orders module calls it when an order is fulfilled). */
export interface CreateShipmentInput {
  order_id: string;
  /** e.g. `ups`, `dhl`, `royal_mail`; 1–50 characters. */
  carrier: string;
  /** The carrier's tracking number, 1–100 characters, or null when not known yet. */
  tracking_number: string | null;
  /** Optional link to the carrier's tracking page (https). */
  tracking_url?: string | null;
  /** At least one line. */
  lines: ShipmentLine[];
  /**
   * Makes the call idempotent: a second call with the same key returns the first shipment (e.g.
   * the fulfilment id). Optional; without it every call creates a shipment.
   */
  idempotency_key?: string;
}

/** A parcel that left the warehouse. */
export interface Shipment {
  /** `shp_…` */
  id: string;
  order_id: string;
  carrier: string;
  tracking_number: string | null;
  tracking_url: string | null;
  lines: ShipmentLine[];
  created_at: string;
}

/** The outcome of `createShipment`: expected failures are returned, not thrown. */
export type CreateShipmentResult =
  | { ok: true; shipment: Shipment }
  | { ok: false; code: 'validation_failed'; message: string };

/**
 * The shipping module's service interface, used by cart (rates) and orders (shipments).
 *
 * @example
 * const rates = await shipping.ratesFor({ countryCode: 'de', subtotal: 4999, currencyCode: 'eur', weightGrams: 800 });
 * // [{ option_id: 'sho_…', name: 'Standard', price: { amount: 495, currency_code: 'eur' }, … }]
 */
export interface ShippingService {
  /**
   * Every enabled option of the zone holding `countryCode` that can ship this cart, priced for
   * it, in rank order. Empty when no zone holds the country or none is priced in the currency.
   */
  ratesFor(query: RateQuery): Promise<ShippingRate[]>;
  /** One option priced for the query, or undefined when it is unknown or not offered for it. */
  rateFor(optionId: string, query: RateQuery): Promise<ShippingRate | undefined>;
  /** Records a shipment (and emits `shipping.shipment.created.v1` in the same transaction). */
  createShipment(input: CreateShipmentInput): Promise<CreateShipmentResult>;
  /** An order's shipments, oldest first. */
  listShipments(orderId: string): Promise<Shipment[]>;
}
