import type { NewEvent } from '@emporium/platform';
import type { PaymentEvent, PaymentIntent } from '../contract/index.ts';
import type { IntentsTable } from '../db/tables.ts';

/** An intent's row as the driver reads it (amounts may come back as strings). */
export type Row = Omit<IntentsTable, 'amount_authorized' | 'amount_captured' | 'amount_refunded'> & {
  amount_authorized: string | number;
  amount_captured: string | number;
  amount_refunded: string | number;
};

export const toIntent = (r: Row): PaymentIntent => ({
  id: r.id,
  reference: r.reference,
  amount: Number(r.amount),
  currency: r.currency,
  status: r.status,
  amountAuthorized: Number(r.amount_authorized),
  amountCaptured: Number(r.amount_captured),
  amountRefunded: Number(r.amount_refunded),
  provider: r.provider,
  card: r.card,
  lastFailureCode: r.last_failure_code,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** The event of `type` about `intent`, keyed by the intent. */
export function eventOf(
  type: string,
  intent: PaymentIntent,
  extra: Partial<PaymentEvent> = {},
): NewEvent<PaymentEvent> {
  return {
    type,
    key: intent.id,
    payload: {
      paymentId: intent.id,
      reference: intent.reference,
      status: intent.status,
      amount: intent.amount,
      currency: intent.currency,
      amountAuthorized: intent.amountAuthorized,
      amountCaptured: intent.amountCaptured,
      amountRefunded: intent.amountRefunded,
      ...extra,
    },
  };
}
