import type { Saga } from './saga-store.ts';

/** The payment's idempotency key: one per checkout, so a repeated ask never charges twice. */
export const paymentKey = (saga: Saga): string => `checkout:${saga.id}`;
