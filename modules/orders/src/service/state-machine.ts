import type { OrderStatus, PaymentStatus } from '../contract/index.ts';

/** Every legal move of an order's status (contract/order.ts draws the diagram). */
const STATUS_MOVES: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  pending: ['placed', 'canceled'],
  placed: ['partially_fulfilled', 'fulfilled', 'canceled'],
  partially_fulfilled: ['partially_fulfilled', 'fulfilled'],
  fulfilled: ['completed'],
  completed: [],
  canceled: [],
};

/** Every legal move of an order's payment status. */
const PAYMENT_MOVES: Readonly<Record<PaymentStatus, readonly PaymentStatus[]>> = {
  not_paid: ['authorized', 'captured'],
  authorized: ['captured', 'voided'],
  captured: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  voided: [],
};

export function canMoveStatus(from: OrderStatus, to: OrderStatus): boolean {
  return STATUS_MOVES[from].includes(to);
}

export function canMovePayment(from: PaymentStatus, to: PaymentStatus): boolean {
  return PAYMENT_MOVES[from].includes(to);
}

/** The payment status after refunding so that `refunded` of `captured` has gone back. */
export function paymentStatusAfterRefund(captured: number, refunded: number): PaymentStatus {
  return refunded >= captured ? 'refunded' : 'partially_refunded';
}

/** The status after shipping: all units shipped or canceled → fulfilled, else partially. */
export function statusAfterFulfilment(
  lines: ReadonlyArray<{ quantity: number; fulfilledQuantity: number; canceledQuantity: number }>,
): OrderStatus {
  const done = lines.every((l) => l.fulfilledQuantity + l.canceledQuantity >= l.quantity);
  return done ? 'fulfilled' : 'partially_fulfilled';
}
