import type { AnyTransaction } from '@emporium/platform';

/**
 * Card brands the vault recognises from the number's leading digits (IIN ranges). `unknown`
 * numbers that pass the Luhn check are still tokenized; the processor decides.
 */
export type CardBrand =
  | 'visa'
  | 'mastercard'
  | 'amex'
  | 'discover'
  | 'diners'
  | 'jcb'
  | 'unionpay'
  | 'unknown';

/**
 * What anyone outside the vault may know about a card: never the number or the CVC.
 *
 * @example
 * { token: 'tok_01j…', brand: 'visa', last4: '4242', expMonth: 12, expYear: 2030 }
 */
export interface CardDescription {
  /** `tok_…`: single-use unless saved to a customer. */
  token: string;
  brand: CardBrand;
  /** The last four digits, the only part of the number that leaves the vault. */
  last4: string;
  /** 1–12. */
  expMonth: number;
  /** Four digits, e.g. 2030. */
  expYear: number;
}

/** The card as typed by the shopper; only the vault's tokenize endpoint ever holds one. */
export interface CardInput {
  /** Digits; spaces and dashes are ignored. */
  number: string;
  expMonth: number;
  /** Two- or four-digit year (`30` means 2030). */
  expYear: number;
  /** 3 digits (4 for American Express). Kept in memory only, never written anywhere. */
  cvc: string;
  name?: string;
}

/**
 * Why a card was refused at tokenization: `invalid_card` (number fails Luhn or length),
 * `card_expired`, `invalid_cvc`, `invalid_expiry` (month not 1–12 or year out of range).
 * `field` names the input at fault (`number`, `exp_month`, `exp_year`, `cvc`).
 */
export type TokenizeFailureCode = 'invalid_card' | 'card_expired' | 'invalid_cvc' | 'invalid_expiry';

export type TokenizeResult =
  | { ok: true; card: CardDescription }
  | {
      ok: false;
      code: TokenizeFailureCode;
      field: 'number' | 'exp_month' | 'exp_year' | 'cvc';
      message: string;
    };

/** An authorization the vault forwards to the acquirer with the card it holds for `token`. */
export interface ForwardAuthorizationRequest {
  /** Positive integer, minor units of `currency`. */
  amount: number;
  /** ISO 4217, lower case. */
  currency: string;
  /** The caller's own reference (the payment intent id); also keys the test card 0119's failures. */
  reference: string;
  /**
   * The provider idempotency key. Replaying a key returns the first result and never charges
   * twice; use the same key for every retry of one attempt.
   */
  idempotencyKey: string;
}

/**
 * The acquirer's answer. `processor_error` is transient (`retryable: true`): try again with the
 * same idempotency key after a backoff. Declines (`card_declined`, `insufficient_funds`,
 * `card_expired`) are final and must never be retried. `token_not_found`: no such token (or an
 * unsaved token older than a day); `token_used`: a single-use token already spent.
 */
export type AcquirerFailureCode =
  | 'card_declined'
  | 'insufficient_funds'
  | 'card_expired'
  | 'processor_error'
  | 'token_not_found'
  | 'token_used';

export type AcquirerResult<T> =
  | ({ ok: true } & T)
  | { ok: false; code: AcquirerFailureCode; retryable: boolean; message: string };

/** A successful authorization: the acquirer's reference for capture, void and refund. */
export interface AuthorizationApproved {
  /** The acquirer's authorization reference (`auth_…` for the built-in test processor). */
  authorizationRef: string;
  /** The card that was charged, for display (never the number). */
  card: Omit<CardDescription, 'token'>;
}

/** A token and the idempotency key of the authorization claiming it. */
export interface TokenClaim {
  token: string;
  idempotencyKey: string;
}

/** A claim made by claimMany: opaque, in memory only (see VaultService.claimMany). */
export interface ClaimedCard {
  readonly token: string;
  readonly idempotencyKey: string;
}

export interface ForwardOptions {
  /** The token's claim, made in the caller's committed transaction: not claimed again. */
  claimed?: ClaimedCard;
  /**
   * `caller`: an approval leaves the token claimed, and the caller spends it with
   * settleApprovedMany in the transaction that records the approval. A decline or a failure is
   * settled here as always.
   */
  settleApproval?: 'caller';
}

/**
 * Operations on an existing authorization. They go by the acquirer's reference and never need
 * the card, so a provider that does not use the vault implements them itself. Every call carries
 * an idempotency key: replaying it returns the first result.
 */
export interface AcquirerOperations {
  /** Captures `amount` (≤ authorized) of the authorization. */
  capture(
    authorizationRef: string,
    amount: number,
    idempotencyKey: string,
  ): Promise<AcquirerResult<{ captureRef: string }>>;
  /** Voids an authorization that has not been captured. */
  void(authorizationRef: string, idempotencyKey: string): Promise<AcquirerResult<object>>;
  /** Refunds `amount` of what was captured. */
  refund(
    authorizationRef: string,
    amount: number,
    idempotencyKey: string,
  ): Promise<AcquirerResult<{ refundRef: string }>>;
}

/**
 * The card data environment. The only code that ever sees a card number: it tokenizes, keeps the
 * number encrypted (AES-256-GCM, envelope encryption) and forwards it to the acquirer when
 * payments asks with a token. Everyone else sees {@link CardDescription}s.
 *
 * @example
 * const card = await vault.describe('tok_01j…');
 * const auth = await vault.forwardAuthorization('tok_01j…', { amount: 1999, currency: 'usd', reference: 'pay_…', idempotencyKey: 'pay_…:1' });
 * if (auth.ok) await vault.acquirer.capture(auth.authorizationRef, 1999, 'pay_…:capture');
 */
export interface VaultService {
  /** Validates and stores a card (the HTTP route `POST /vault/tokens` calls this). */
  tokenize(card: CardInput): Promise<TokenizeResult>;
  /** Brand, last 4 and expiry of a token; undefined when the token does not exist. */
  describe(token: string): Promise<CardDescription | undefined>;
  /**
   * Decrypts the card for `token` and sends the authorization to the acquirer, with the CVC when
   * still held in memory. An unsaved token is spent by its first approved authorization
   * (replays of the same idempotency key still answer the first result).
   */
  forwardAuthorization(
    token: string,
    request: ForwardAuthorizationRequest,
    options?: ForwardOptions,
  ): Promise<AcquirerResult<AuthorizationApproved>>;
  /**
   * Claims tokens for authorizations inside the caller's transaction, so that a caller already
   * writing in one (a checkout recording its payment) saves forwardAuthorization its own claim
   * statement. Answers a handle per item, or undefined where the token cannot be claimed
   * (forwardAuthorization without the handle then says why). A handle is good for one call, once
   * the transaction has committed; it is held in memory only and names no card data.
   */
  claimMany(items: readonly TokenClaim[], trx: AnyTransaction): Promise<(ClaimedCard | undefined)[]>;
  /**
   * Spends the tokens of approved authorizations forwarded with `settleApproval: 'caller'`, inside
   * the caller's transaction (the one recording the approvals): an unsaved token becomes used, a
   * saved one active again. A claim no longer held by the item's key is left alone.
   */
  settleApprovedMany(items: readonly TokenClaim[], trx: AnyTransaction): Promise<void>;
  /** Keeps a token for a customer's later purchases (it stops being single-use). */
  saveToCustomer(
    token: string,
    customerId: string,
  ): Promise<{ ok: true } | { ok: false; code: 'token_not_found' | 'token_used' }>;
  /** Capture, void and refund by authorization reference, at the acquirer behind the vault. */
  readonly acquirer: AcquirerOperations;
}
