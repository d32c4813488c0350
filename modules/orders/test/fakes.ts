import type { PaymentIntent, PaymentOperationResult, PaymentsService } from '@emporium/payments/contract';
import type { CreateShipmentInput, Shipment, ShippingService } from '@emporium/shipping/contract';

/**
 * An in-memory PaymentsService that keeps the real one's promises the orders module relies on:
 * capture/void/refund state rules, refunds never above captured, idempotent refunds by key.
 * `failNext` makes the next operation answer `payment_failed` (a provider outage).
 */
export function fakePayments() {
  const intents = new Map<string, PaymentIntent>();
  const refundKeys = new Map<string, PaymentOperationResult>();
  const calls: string[] = [];
  let failNext = false;
  const fail = (intent?: PaymentIntent): PaymentOperationResult => ({
    ok: false,
    code: 'payment_failed',
    message: 'processor unavailable',
    ...(intent ? { intent } : {}),
  });
  const service: PaymentsService = {
    async createIntent(input) {
      const now = new Date();
      const intent: PaymentIntent = {
        id: `pay_${intents.size + 1}`,
        reference: input.reference,
        amount: input.amount,
        currency: input.currency,
        status: 'requires_authorization',
        amountAuthorized: 0,
        amountCaptured: 0,
        amountRefunded: 0,
        provider: 'fake',
        card: null,
        lastFailureCode: null,
        createdAt: now,
        updatedAt: now,
      };
      intents.set(intent.id, intent);
      return intent;
    },
    async createIntentMany(inputs) {
      const made: PaymentIntent[] = [];
      for (const input of inputs) made.push(await service.createIntent(input));
      return made;
    },
    async authorize(intentId) {
      const intent = intents.get(intentId);
      if (!intent) throw new Error('no intent');
      intent.status = 'authorized';
      intent.amountAuthorized = intent.amount;
      return { ok: true, intent: { ...intent } };
    },
    // Orders never prepares an authorization: nothing is prepared, so nothing is asked or recorded.
    async prepareAuthorizations(items) {
      return items.map(() => undefined);
    },
    async authorizePrepared() {
      throw new Error('fakePayments prepares no authorization');
    },
    async recordApprovals() {
      throw new Error('fakePayments prepares no authorization');
    },
    async capture(intentId) {
      calls.push(`capture ${intentId}`);
      const intent = intents.get(intentId);
      if (!intent) return { ok: false, code: 'payment_not_found', message: 'no payment' };
      if (failNext) {
        failNext = false;
        return fail(intent);
      }
      if (intent.status === 'captured') return { ok: true, intent: { ...intent } };
      if (intent.status !== 'authorized')
        return { ok: false, code: 'payment_state_conflict', message: 'not authorized' };
      intent.status = 'captured';
      intent.amountCaptured = intent.amountAuthorized;
      return { ok: true, intent: { ...intent } };
    },
    async cancel(intentId) {
      calls.push(`cancel ${intentId}`);
      const intent = intents.get(intentId);
      if (!intent) return { ok: false, code: 'payment_not_found', message: 'no payment' };
      if (intent.status === 'captured')
        return { ok: false, code: 'payment_state_conflict', message: 'captured' };
      intent.status = 'canceled';
      return { ok: true, intent: { ...intent } };
    },
    async refund(intentId, amount, key) {
      calls.push(`refund ${intentId} ${amount}`);
      const done = refundKeys.get(key);
      if (done) return done;
      const intent = intents.get(intentId);
      if (!intent) return { ok: false, code: 'payment_not_found', message: 'no payment' };
      if (failNext) {
        failNext = false;
        return fail(intent);
      }
      if (intent.amountRefunded + amount > intent.amountCaptured) {
        return { ok: false, code: 'amount_exceeds_captured', message: 'too much' };
      }
      intent.amountRefunded += amount;
      const result: PaymentOperationResult = { ok: true, intent: { ...intent } };
      refundKeys.set(key, result);
      return result;
    },
    async get(intentId) {
      return intents.get(intentId);
    },
    async listByReference(reference) {
      return [...intents.values()].filter((i) => i.reference === reference);
    },
    async listRefunds() {
      return [];
    },
  };
  return {
    service,
    calls,
    intents,
    failNextOperation() {
      failNext = true;
    },
  };
}

/** An in-memory ShippingService recording shipments; idempotent by key like the real one. */
export function fakeShipping() {
  const shipments: Shipment[] = [];
  const byKey = new Map<string, Shipment>();
  let reject = false;
  const service: ShippingService = {
    async ratesFor() {
      return [];
    },
    async rateFor() {
      return undefined;
    },
    async createShipment(input: CreateShipmentInput) {
      if (reject) {
        reject = false;
        return { ok: false, code: 'validation_failed', message: 'unknown carrier' };
      }
      const existing = input.idempotency_key ? byKey.get(input.idempotency_key) : undefined;
      if (existing) return { ok: true, shipment: existing };
      const shipment: Shipment = {
        id: `shp_${shipments.length + 1}`,
        order_id: input.order_id,
        carrier: input.carrier,
        tracking_number: input.tracking_number,
        tracking_url: input.tracking_url ?? null,
        lines: input.lines,
        created_at: new Date().toISOString(),
      };
      shipments.push(shipment);
      if (input.idempotency_key) byKey.set(input.idempotency_key, shipment);
      return { ok: true, shipment };
    },
    async listShipments(orderId) {
      return shipments.filter((s) => s.order_id === orderId);
    },
  };
  return {
    service,
    shipments,
    rejectNext() {
      reject = true;
    },
  };
}
