/**
 * Events payments writes to the outbox in the same transaction as each state change, keyed by
 * the payment id. Payloads never carry a card number or token; the card is brand and last 4.
 */
export const paymentsEvents = {
  /** Payload: {@link PaymentEvent}. */
  created: 'payments.payment.created.v1',
  authorized: 'payments.payment.authorized.v1',
  /** An authorization attempt was declined or failed; payload adds `failureCode`. */
  authorizationFailed: 'payments.payment.authorization_failed.v1',
  captured: 'payments.payment.captured.v1',
  canceled: 'payments.payment.canceled.v1',
  /** Payload adds `refundId` and `refundAmount`. */
  refunded: 'payments.payment.refunded.v1',
} as const;

/**
 * Payload of every payments event: the intent right after the change.
 *
 * @example
 * { paymentId: 'pay_01j…', reference: 'order_01j…', status: 'captured', amount: 2599, currency: 'usd',
 *   amountAuthorized: 2599, amountCaptured: 2599, amountRefunded: 0 }
 */
export interface PaymentEvent {
  paymentId: string;
  reference: string;
  status: 'requires_authorization' | 'authorized' | 'captured' | 'canceled';
  amount: number;
  currency: string;
  amountAuthorized: number;
  amountCaptured: number;
  amountRefunded: number;
  failureCode?: string;
  refundId?: string;
  refundAmount?: number;
}
