/**
 * The provider port: where payments sends authorizations, captures, voids and refunds. The
 * built-in provider goes through the card vault; a hosted-fields provider (Stripe Elements style)
 * receives its own token and keeps the merchant out of PCI scope. The port never sees a card
 * number and does not assume the vault.
 */
export interface PaymentProvider {
  /** Stored with each intent: `vault`, `stripe`, … */
  readonly name: string;
  /** Whether this provider takes tokens of this shape (the vault: `tok_…`). */
  accepts(token: string): boolean;
  authorize(request: ProviderAuthorizeRequest): Promise<ProviderResult<ProviderAuthorization>>;
  capture(authorizationRef: string, amount: number, idempotencyKey: string): Promise<ProviderResult<object>>;
  void(authorizationRef: string, idempotencyKey: string): Promise<ProviderResult<object>>;
  refund(authorizationRef: string, amount: number, idempotencyKey: string): Promise<ProviderResult<object>>;
}

export interface ProviderAuthorizeRequest {
  token: string;
  amount: number;
  currency: string;
  /** The payment intent id. */
  reference: string;
  /** The provider idempotency key: the same for every retry of one attempt. */
  idempotencyKey: string;
}

export interface ProviderAuthorization {
  authorizationRef: string;
  card: { brand: string; last4: string; expMonth: number; expYear: number } | null;
}

/**
 * `retryable` marks transient failures (network, processor errors) that payments retries with
 * backoff; everything else is final. `code` is one of the AuthorizeFailureCodes or a provider's
 * own (mapped to `payment_failed`).
 */
export type ProviderResult<T> =
  | ({ ok: true } & T)
  | { ok: false; code: string; retryable: boolean; message: string };
