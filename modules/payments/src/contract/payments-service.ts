import type { AnyTransaction } from '@emporium/platform';

/**
 * A payment intent's life: `requires_authorization` → `authorized` → `captured`, or `canceled`
 * (before capture; an authorization is voided). Refunds do not change the status: see
 * `amountRefunded` (a fully refunded payment stays `captured` with `amountRefunded === amountCaptured`).
 */
export type PaymentIntentStatus = 'requires_authorization' | 'authorized' | 'captured' | 'canceled';

/** Brand, last 4 and expiry of the card that paid; never the number. */
export interface PaymentCard {
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/**
 * One payment for one reference (an order). Amounts are integer minor units of `currency`.
 *
 * @example
 * { id: 'pay_01j…', reference: 'order_01j…', amount: 2599, currency: 'usd', status: 'captured',
 *   amountAuthorized: 2599, amountCaptured: 2599, amountRefunded: 500, provider: 'vault',
 *   card: { brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 }, … }
 */
export interface PaymentIntent {
  /** `pay_…`. */
  id: string;
  /** The caller's reference, e.g. the order id. */
  reference: string;
  amount: number;
  /** ISO 4217, lower case. */
  currency: string;
  status: PaymentIntentStatus;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  /** The provider that holds the authorization (`vault` for the built-in card vault). */
  provider: string | null;
  card: PaymentCard | null;
  /** The last authorization failure code, if any (`card_declined`, …), for staff. */
  lastFailureCode: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface CreateIntentInput {
  /** Positive integer, minor units. */
  amount: number;
  /** ISO 4217, lower case. */
  currency: string;
  /** The order (or other) id this payment is for. */
  reference: string;
}

/**
 * What pays: a vault token (`tok_…`, from the vault's card field) or a token a provider's own
 * hosted fields issued. The provider chosen for it receives only this token, never a card number.
 */
export interface PaymentSource {
  token: string;
}

/**
 * Shopper-facing failure codes. `card_declined` and `insufficient_funds` are the bank's final
 * answer (never retried); `card_expired`; `payment_failed` means the processor kept failing
 * after bounded retries, or the token is unknown or spent (`token_used`, `token_not_found`);
 * `message` is a sentence a shopper can read.
 */
export type AuthorizeFailureCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'card_expired'
  | 'payment_failed'
  | 'token_used'
  | 'token_not_found';

export type AuthorizeResult =
  | { ok: true; intent: PaymentIntent }
  | { ok: false; code: AuthorizeFailureCode; message: string; intent: PaymentIntent };

/**
 * Staff-side failures: `payment_not_found`, `payment_state_conflict` (e.g. capture of a canceled
 * payment), `amount_exceeds_authorized` (capture), `amount_exceeds_captured` (refund),
 * `payment_failed` (the processor kept failing; try again later).
 */
export type PaymentOperationFailureCode =
  | 'payment_not_found'
  | 'payment_state_conflict'
  | 'amount_exceeds_authorized'
  | 'amount_exceeds_captured'
  | 'payment_failed';

export type PaymentOperationResult =
  | { ok: true; intent: PaymentIntent }
  | { ok: false; code: PaymentOperationFailureCode; message: string; intent?: PaymentIntent };

/** One refund of a payment. */
export interface PrepareAuthorizationInput {
  /** An intent awaiting its authorization (as createIntentMany answered it). */
  intent: PaymentIntent;
  source: PaymentSource;
  idempotencyKey: string;
}

/** An authorization prepared in a transaction (prepareAuthorizations): opaque, in memory only. */
export interface PreparedAuthorization {
  readonly intentId: string;
}

/** A provider's approval not yet recorded (authorizePrepared): opaque, in memory only. */
export interface UnrecordedApproval {
  readonly intentId: string;
}

export type PreparedAuthorizeResult =
  | { ok: true; approval: UnrecordedApproval }
  | { ok: false; code: AuthorizeFailureCode; message: string; intent: PaymentIntent };

export interface PaymentRefund {
  /** `refund_…`. */
  id: string;
  paymentId: string;
  amount: number;
  createdAt: Date;
}

/**
 * Payment intents behind a provider port. Every state change writes an event to the outbox in
 * the same transaction. Every provider call carries a provider idempotency key; transient
 * processor errors are retried with exponential backoff and jitter (bounded), declines never.
 *
 * @example
 * const intent = await payments.createIntent({ amount: 2599, currency: 'usd', reference: orderId });
 * const auth = await payments.authorize(intent.id, { token }, `checkout:${checkoutId}`);
 * if (!auth.ok) return paymentProblem(auth.code, auth.message); // 402
 * await payments.capture(intent.id);
 */
export interface PaymentsService {
  /**
   * A new intent in `requires_authorization`. Given `trx`, the intent and its event are written in
   * the caller's transaction (the caller nudges the event bus after its commit).
   */
  createIntent(input: CreateIntentInput, trx?: AnyTransaction): Promise<PaymentIntent>;
  /**
   * `createIntent` for several intents at once, in one statement whatever their number (a caller
   * batching concurrent checkouts): the intents in the inputs' order, each with its event. One
   * invalid input refuses them all (a caller's bug).
   */
  createIntentMany(inputs: readonly CreateIntentInput[], trx?: AnyTransaction): Promise<PaymentIntent[]>;
  /**
   * Authorizes the intent's full amount with the source. Idempotent by `idempotencyKey`: replaying
   * the key returns the first result (approved or declined) and never charges again. Authorizing
   * an intent that is already authorized with another key answers `payment_state_conflict` as a
   * thrown 409 AppError; after a decline a new key may try another card.
   */
  authorize(intentId: string, source: PaymentSource, idempotencyKey: string): Promise<AuthorizeResult>;
  /**
   * Prepares authorizations inside the caller's transaction, for a caller already writing in one (a
   * checkout recording its order and intent): each intent's attempt, under `idempotencyKey`, is
   * written pending and its source claimed by the provider, so that authorizePrepared goes straight
   * to the provider. Answers a handle per item (in memory only, good for one authorizePrepared once
   * the transaction has committed), or undefined where nothing was prepared: `authorize`, with the
   * same key, then does it all and says why.
   */
  prepareAuthorizations(
    items: readonly PrepareAuthorizationInput[],
    trx: AnyTransaction,
  ): Promise<(PreparedAuthorization | undefined)[]>;
  /**
   * Asks the provider for a prepared authorization. A failure is recorded as by `authorize`; an
   * approval is not: the caller records it with recordApprovals in the transaction that acts on it
   * (a crash before leaves the attempt pending, and `authorize` with the same key asks the provider
   * again, which answers its first approval without charging twice).
   */
  authorizePrepared(prepared: PreparedAuthorization): Promise<PreparedAuthorizeResult>;
  /**
   * Records approvals answered by authorizePrepared, inside the caller's transaction: each intent
   * authorized (its `payment.authorized` event written) and its source spent. Answers the
   * authorized intent of each, or undefined where it no longer applied (the attempt finished by a
   * concurrent replay, the intent moved on): `authorize` with the same key then tells what holds.
   */
  recordApprovals(
    approvals: readonly UnrecordedApproval[],
    trx: AnyTransaction,
  ): Promise<(PaymentIntent | undefined)[]>;
  /**
   * Captures `amount` (default: everything authorized, at most once). Capturing a captured intent
   * again with no amount is a no-op success.
   */
  capture(intentId: string, amount?: number): Promise<PaymentOperationResult>;
  /**
   * Cancels an intent that is not captured: voids the authorization at the provider. Idempotent
   * (a canceled intent answers ok).
   */
  cancel(intentId: string): Promise<PaymentOperationResult>;
  /**
   * Refunds `amount` (positive integer) of what was captured; the sum of refunds never exceeds
   * the captured amount. Idempotent by `idempotencyKey` (a replay returns the first result).
   */
  refund(intentId: string, amount: number, idempotencyKey: string): Promise<PaymentOperationResult>;
  /** The intent, or undefined. */
  get(intentId: string): Promise<PaymentIntent | undefined>;
  /** Intents for a reference (an order), oldest first. */
  listByReference(reference: string): Promise<PaymentIntent[]>;
  /** Refunds of an intent, oldest first. */
  listRefunds(intentId: string): Promise<PaymentRefund[]>;
}
