/**
 * The identity module's public face: customer accounts, the ports it needs from notify and
 * orders, and the service other modules may call. Access tokens themselves are verified by the
 * platform's authenticator (`request.principal`), never by calling this module.
 */

/** A customer account as the store API shows it to its owner. */
export interface Customer {
  /** `cus_…` */
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  emailVerified: boolean;
  /** ISO 8601 */
  createdAt: string;
}

/** A saved address (API.md's address shape plus its id), stored encrypted. */
export interface Address {
  /** `addr_…` */
  id: string;
  first_name: string;
  last_name: string;
  line1: string;
  line2?: string | undefined;
  city: string;
  postal_code: string;
  region?: string | undefined;
  /** ISO 3166-1 alpha-2, lower-case */
  country_code: string;
  phone?: string | undefined;
}

/**
 * What identity asks of the notify module (its NotifyService fits): deliver an email. The text
 * carries a single-use link (`/account/verify-email?token=…`, `/account/reset-password?token=…` on
 * the shop's origin); a notifier must not log it.
 * @example notifier.send({ to: 'a@example.com', subject: 'Reset your password', text: 'Open …', kind: 'identity.password_reset' })
 */
export interface IdentityNotifier {
  send(message: { to: string; subject: string; text: string; kind: string }): Promise<unknown>;
}

/** What identity asks of the orders module for `GET /store/customers/me/orders` (OrdersService fits). */
export interface CustomerOrdersPort {
  listForCustomer(
    customerId: string,
    options?: { limit?: number; cursor?: string },
  ): Promise<{ data: readonly unknown[]; nextCursor: string | null }>;
}

/** The identity service other modules may use. */
export interface IdentityService {
  /** The customer, or null. */
  getCustomer(customerId: string): Promise<Customer | null>;
  /**
   * Registers (or replaces) a first-party browser client for authorization code + PKCE:
   * `kind` 'customer' signs in shoppers (storefront), 'staff' signs in staff with MFA (admin).
   * Public clients (no secret); `redirectUris` must match exactly.
   * @example identity.registerClient({ clientId: 'storefront', kind: 'customer', redirectUris: ['http://localhost:3001/auth/callback'] })
   */
  registerClient(client: {
    clientId: string;
    kind: 'customer' | 'staff';
    redirectUris: string[];
    postLogoutRedirectUris?: string[];
  }): Promise<void>;
}

/** The audience (`aud`) of every access token for the Emporium API. */
export const API_AUDIENCE = 'emporium-api';
/** The resource indicator (RFC 8707) a client may send for the Emporium API; it is also the default. */
export const API_RESOURCE = 'urn:emporium:api';
