import { describe, expect, it } from 'vitest';
import {
  canMovePayment,
  canMoveStatus,
  paymentStatusAfterRefund,
  statusAfterFulfilment,
} from './state-machine.ts';

describe('order state machine', () => {
  it('moves an order forward through placement, fulfilment and completion only', () => {
    expect(canMoveStatus('pending', 'placed')).toBe(true);
    expect(canMoveStatus('placed', 'partially_fulfilled')).toBe(true);
    expect(canMoveStatus('partially_fulfilled', 'fulfilled')).toBe(true);
    expect(canMoveStatus('fulfilled', 'completed')).toBe(true);
    expect(canMoveStatus('pending', 'fulfilled')).toBe(false);
    expect(canMoveStatus('placed', 'completed')).toBe(false);
    expect(canMoveStatus('completed', 'placed')).toBe(false);
  });

  it('cancels only orders that have not shipped', () => {
    expect(canMoveStatus('pending', 'canceled')).toBe(true);
    expect(canMoveStatus('placed', 'canceled')).toBe(true);
    expect(canMoveStatus('partially_fulfilled', 'canceled')).toBe(false);
    expect(canMoveStatus('fulfilled', 'canceled')).toBe(false);
    expect(canMoveStatus('canceled', 'placed')).toBe(false);
  });

  it('refunds only captured money and voids only authorizations', () => {
    expect(canMovePayment('authorized', 'voided')).toBe(true);
    expect(canMovePayment('captured', 'voided')).toBe(false);
    expect(canMovePayment('authorized', 'refunded')).toBe(false);
    expect(canMovePayment('refunded', 'partially_refunded')).toBe(false);
    expect(paymentStatusAfterRefund(1000, 400)).toBe('partially_refunded');
    expect(paymentStatusAfterRefund(1000, 1000)).toBe('refunded');
  });

  it('is fulfilled once every unit is shipped or canceled', () => {
    expect(statusAfterFulfilment([{ quantity: 2, fulfilledQuantity: 1, canceledQuantity: 0 }])).toBe(
      'partially_fulfilled',
    );
    expect(
      statusAfterFulfilment([
        { quantity: 2, fulfilledQuantity: 2, canceledQuantity: 0 },
        { quantity: 1, fulfilledQuantity: 0, canceledQuantity: 1 },
      ]),
    ).toBe('fulfilled');
  });
});
