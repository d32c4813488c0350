import type { Generated, Kysely, Transaction } from 'kysely';
import type { Address } from '../contract/index.ts';

export interface CartsTable {
  id: string;
  secret_hash: string;
  currency_code: string;
  customer_id: string | null;
  email: string | null;
  shipping_address: Address | null;
  billing_address: Address | null;
  shipping_option_id: string | null;
  reservation_id: string | null;
  reservation_expires_at: Date | null;
  completed_at: Date | null;
  order_id: string | null;
  version: Generated<number>;
  created_at: Date;
  updated_at: Date;
}

export interface ItemsTable {
  id: string;
  cart_id: string;
  variant_id: string;
  quantity: number;
  created_at: Date;
}

export interface TaxRegionsTable {
  id: string;
  country_code: string;
  region: string;
  name: string;
  rate_bp: number;
  inclusive: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface CartTables {
  'cart.carts': CartsTable;
  'cart.items': ItemsTable;
  'cart.tax_regions': TaxRegionsTable;
}

export type Trx = Transaction<CartTables>;
export type Reader = Kysely<CartTables>;
