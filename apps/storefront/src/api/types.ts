/** The parts of API.md's store responses the storefront reads (field names as on the wire). */
export interface Money {
  amount: number;
  currency_code: string;
}

export interface ProductHit {
  id: string;
  handle: string;
  title: string;
  price: Money;
  thumbnail: string | null;
  category_ids: string[];
}

export interface ProductList {
  data: ProductHit[];
  next_cursor: string | null;
  did_you_mean?: string;
  facets?: {
    categories: Array<{ id: string; name: string; parent_id: string | null; count: number }>;
    options: Array<{ title: string; values: Array<{ value: string; count: number }> }>;
    price_ranges: Array<{ min: number; max: number | null; count: number }>;
  };
}

export interface Category {
  id: string;
  handle: string;
  name: string;
  description: string;
  parent_id: string | null;
  children?: Category[];
}

export interface ProductImage {
  url: string;
  alt: string;
  width: number;
  height: number;
}

export interface StoreVariant {
  id: string;
  sku: string;
  title: string;
  options: Record<string, string>;
  price: Money | null;
  available: boolean;
}

export interface StoreProduct {
  id: string;
  handle: string;
  title: string;
  description: string;
  images: ProductImage[];
  options: Array<{ title: string; values: string[] }>;
  category_ids: string[];
  currency_code: string;
  variants: StoreVariant[];
}

export interface Address {
  first_name: string;
  last_name: string;
  line1: string;
  line2?: string | null;
  city: string;
  postal_code: string;
  region?: string | null;
  country_code: string;
  phone?: string | null;
}

export interface CartItem {
  id: string;
  variant_id: string;
  product_id?: string;
  product_title: string;
  product_handle?: string;
  title: string;
  quantity: number;
  unit_price: Money;
  subtotal: Money;
}

export interface Cart {
  id: string;
  currency_code: string;
  email: string | null;
  shipping_address: Address | null;
  items: CartItem[];
  shipping_option: { id: string; name: string; price: Money } | null;
  subtotal: Money;
  shipping_total: Money;
  tax_total: Money;
  total: Money;
}

export interface ShippingOption {
  id: string;
  name: string;
  price: Money;
  carrier?: string | null;
  description?: string | null;
}

export interface Order {
  id: string;
  number: string | number;
  status: string;
  email?: string | null;
  items?: Array<{
    id?: string;
    product_title?: string;
    title: string;
    quantity: number;
    subtotal?: Money;
    unit_price?: Money;
  }>;
  subtotal?: Money;
  shipping_total?: Money;
  tax_total?: Money;
  total: Money;
  shipping_address?: Address | null;
  created_at?: string;
  placed_at?: string | null;
}
