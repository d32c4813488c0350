import { type Clock, eventsAfter } from '@emporium/platform';
import { type Kysely, sql } from 'kysely';
import {
  type PaymentIntent,
  type ProviderAuthorization,
  type ProviderResult,
  paymentsEvents,
} from '../contract/index.ts';
import type { PaymentsTables } from '../db/tables.ts';
import { eventOf, type Row, toIntent } from './intent-rows.ts';

/** An approval the provider answered, to record. */
export interface Approval {
  before: PaymentIntent;
  attemptId: string;
  providerName: string;
  approval: Extract<ProviderResult<ProviderAuthorization>, { ok: true }>;
  tries: number;
}

/**
 * Records approvals in one statement, on payments' pool or in a caller's transaction: each intent
 * becomes authorized while it awaits authorization and its attempt is pending, then the attempt is
 * finished, then the `authorized` event is written, each only if the one before applied. The
 * intent is updated first, so a concurrent replay of the same attempt waits on the intent's row and
 * then finds it authorized. Answers the intents that became authorized, by id.
 */
export async function recordApprovalRows(
  executor: Kysely<PaymentsTables>,
  clock: Clock,
  items: readonly Approval[],
): Promise<Map<string, PaymentIntent>> {
  if (items.length === 0) return new Map();
  const now = clock.now();
  const input = items.map((a) => ({
    intent_id: a.before.id,
    attempt_id: a.attemptId,
    provider: a.providerName,
    authorization_ref: a.approval.authorizationRef,
    card: a.approval.card ?? null,
    tries: a.tries,
  }));
  const events = items.map((a) =>
    eventOf(paymentsEvents.authorized, {
      ...a.before,
      status: 'authorized',
      amountAuthorized: a.before.amount,
    }),
  );
  const { rows } = await sql<Row>`
    with v as (
      select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as v(intent_id text,
        attempt_id text, provider text, authorization_ref text, card jsonb, tries int)
    ), i as (
      update payments.intents p
      set status = 'authorized', amount_authorized = p.amount, provider = v.provider,
        authorization_ref = v.authorization_ref, card = v.card, last_failure_code = null,
        updated_at = ${now}
      from v
      where p.id = v.intent_id and p.id = any(${items.map((a) => a.before.id)}::text[])
        and p.status = 'requires_authorization'
        and exists (select from payments.attempts t where t.id = v.attempt_id and t.status = 'pending')
      returning p.*
    ), a as (
      update payments.attempts t
      set status = 'succeeded', failure_code = null, failure_message = null,
        tries = t.tries + v.tries, finished_at = ${now}
      from v
      where t.id = v.attempt_id and t.id = any(${items.map((a) => a.attemptId)}::text[])
        and t.status = 'pending' and exists (select from i where i.id = v.intent_id)
    ), e as (${eventsAfter('i', events, clock, { byKey: 'id' })})
    select * from i`.execute(executor);
  return new Map(rows.map((r) => [r.id, toIntent(r)]));
}
