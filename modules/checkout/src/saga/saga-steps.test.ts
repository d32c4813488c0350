import { describe, expect, it } from 'vitest';
import { forwardSteps, reached, recoveryAction } from './saga-steps.ts';

describe('recovery decisions', () => {
  it('undoes a saga that died before the card was asked for, so nobody is charged for an order they never saw', () => {
    expect(recoveryAction('started')).toBe('compensate');
    expect(recoveryAction('reserved')).toBe('compensate');
    expect(recoveryAction('order_created')).toBe('compensate');
  });

  it('asks the provider again when the authorization outcome is unknown', () => {
    expect(recoveryAction('authorizing')).toBe('reauthorize');
  });

  it('finishes the order once the card is authorized', () => {
    for (const step of ['authorized', 'stock_committed', 'placed', 'done'] as const) {
      expect(recoveryAction(step)).toBe('resume');
    }
  });

  it('orders the steps: each reaches those before it and not those after', () => {
    for (const [i, step] of forwardSteps.entries()) {
      for (const [j, other] of forwardSteps.entries()) expect(reached(step, other)).toBe(i >= j);
    }
    expect(reached('released', 'reserved')).toBe(false);
  });
});
