import { createHash } from 'node:crypto';
import type { Address } from '@emporium/cart/contract';

/** What a shopper sends to `POST /store/carts/{id}/checkout` (API.md). */
export interface CheckoutRequest {
  email?: string;
  shipping_address?: Address;
  billing_address?: Address;
  shipping_option_id: string;
  /** A vault token (`tok_…`): never a card number. */
  payment: { token: string };
}

/** JSON with object keys sorted, so that two bodies meaning the same thing hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of the canonical body: the same Idempotency-Key with another hash is a conflict. */
export function requestHash(request: CheckoutRequest): string {
  return createHash('sha256').update(canonical(request)).digest('hex');
}
