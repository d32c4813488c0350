import { AppError } from '@emporium/platform';
import type { OrderStatus, PaymentStatus } from './contract/index.ts';

/**
 * Every error code the orders module answers with besides the platform's own (`validation_failed`,
 * `not_found`, `unauthorized`, `forbidden`, `idempotency_*`). docs/errors.md documents each.
 */
export const ordersErrorCodes = {
  invalid_order_transition:
    'The order (or its payment) is not in a state that allows this action; `order_status` and `payment_status` say where it is.',
  refund_exceeds_captured:
    'The refund would take the refunded total above what was captured; `refundable` says what is left.',
  fulfillment_exceeds_remaining:
    'A fulfilment line asks for more units than are left to ship on that order line (or names a line not on the order).',
  payment_operation_failed:
    'The payment provider did not complete the capture, void or refund; nothing changed on the order. Try again later.',
  shipment_rejected:
    'The shipping module rejected the shipment (carrier or tracking details); nothing was fulfilled.',
} as const;

export type OrdersErrorCode = keyof typeof ordersErrorCodes;

export const invalidTransition = (
  action: string,
  status: OrderStatus,
  paymentStatus: PaymentStatus,
  why?: string,
): AppError =>
  new AppError(
    'invalid_order_transition',
    409,
    `Cannot ${action} an order that is ${status.replace('_', ' ')} with payment ${paymentStatus.replace('_', ' ')}${why ? `: ${why}` : ''}.`,
    { extensions: { order_status: status, payment_status: paymentStatus } },
  );

export const orderNotFound = (): AppError => new AppError('not_found', 404, 'No order matches this id.');

/** A 400 for a query/path value the schema could not catch (a bad cursor). */
export const badQuery = (path: string, message: string): AppError =>
  new AppError('validation_failed', 400, `Invalid request: ${path} ${message}.`, {
    extensions: { errors: [{ path, message }] },
  });
