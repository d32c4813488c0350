import type {
  AcquirerOperations,
  AcquirerResult,
  CardBrand,
  ForwardAuthorizationRequest,
} from '../contract/index.ts';

/** The decrypted card the vault hands the acquirer for one authorization; it lives only for the call. */
export interface AcquirerCard {
  number: string;
  brand: CardBrand;
  expMonth: number;
  expYear: number;
  /** Absent once the vault no longer holds it (lapsed after 10 minutes, or a saved card). */
  cvc?: string;
}

/**
 * The processor at the other end of the vault's forwarding. The built-in one is the test
 * processor; a real acquirer adapter implements the same interface (and sees the number over TLS).
 */
export interface Acquirer extends AcquirerOperations {
  authorize(
    card: AcquirerCard,
    request: ForwardAuthorizationRequest,
  ): Promise<AcquirerResult<{ authorizationRef: string }>>;
}
