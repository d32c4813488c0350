import type { AnyTransaction } from '@emporium/platform';

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
  /**
   * Optional: claims the sources of authorizations about to be asked, inside the caller's
   * transaction (PaymentsService.prepareAuthorizations), so that `authorize` need not write first.
   * Answers a handle per item, handed back as `prepared`, or undefined where the source cannot be
   * claimed (`authorize` without the handle then says why).
   */
  prepareMany?(items: readonly SourceClaim[], trx: AnyTransaction): Promise<(PreparedSource | undefined)[]>;
  /**
   * With prepareMany: spends the sources of approvals answered with `settleApproval: 'caller'`,
   * inside the transaction that records them (PaymentsService.recordApprovals).
   */
  settleApprovedMany?(items: readonly SourceClaim[], trx: AnyTransaction): Promise<void>;
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
  /** prepareMany's handle for this source and key, when it was claimed in a transaction. */
  prepared?: PreparedSource;
  /** `caller`: an approval leaves its source to settleApprovedMany (a decline is settled as always). */
  settleApproval?: 'caller';
}

/** A payment source (token) and the provider idempotency key of the attempt using it. */
export interface SourceClaim {
  token: string;
  idempotencyKey: string;
}

/** A provider's handle on a source it claimed in a transaction: opaque to payments. */
export type PreparedSource = object;

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
