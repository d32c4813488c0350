import { newId } from '@emporium/platform';
import { type Kysely, sql } from 'kysely';
import type {
  AuthorizeResult,
  PaymentIntent,
  PaymentProvider,
  PaymentsService,
  PreparedAuthorization,
  PreparedSource,
  ProviderAuthorization,
  ProviderResult,
  UnrecordedApproval,
} from '../contract/index.ts';
import type { PaymentsTables } from '../db/tables.ts';
import type { PaymentsContext } from '../payments-context.ts';
import { type Approval, recordApprovalRows } from './approvals.ts';
import { withRetries } from './retry.ts';

/** What a prepared authorization stands for: kept by payments, the caller holds the handle. */
interface Prepared {
  intent: PaymentIntent;
  token: string;
  attemptId: string;
  provider: PaymentProvider;
  source: PreparedSource;
}

/** An approval to record, with the source its provider spends when it is recorded. */
interface Unrecorded extends Approval {
  token: string;
  provider: PaymentProvider;
}

type Methods = Pick<PaymentsService, 'prepareAuthorizations' | 'authorizePrepared' | 'recordApprovals'>;

/** Records a provider's answer to an attempt as `authorize` does (payments-service's recordAnswer). */
export type RecordAnswer = (
  intent: PaymentIntent,
  attemptId: string,
  provider: PaymentProvider,
  result: ProviderResult<ProviderAuthorization>,
  tries: number,
) => Promise<AuthorizeResult>;

/**
 * Authorizations whose bookkeeping rides in a caller's transactions (see the three methods in
 * PaymentsService): the pending attempt and the source's claim are written with the caller's
 * records before the provider is asked, and the approval with the caller's next records after.
 * A checkout so asks the provider without a commit of its own before or after. The handles are
 * keys of WeakMaps: a caller cannot read or forge what they stand for, and a handle dropped
 * (a rolled-back transaction, a crash) leaves nothing behind in memory.
 */
export function createPreparedAuthorizations(ctx: PaymentsContext, recordAnswer: RecordAnswer): Methods {
  const prepared = new WeakMap<PreparedAuthorization, Prepared>();
  const unrecorded = new WeakMap<UnrecordedApproval, Unrecorded>();

  return {
    async prepareAuthorizations(items, trx) {
      const executor = trx as unknown as Kysely<PaymentsTables>;
      const candidates = items.flatMap((item, n) => {
        const provider = ctx.providers.find((p) => p.accepts(item.source.token));
        if (!provider?.prepareMany || item.intent.status !== 'requires_authorization') return [];
        return [{ n, item, provider, attemptId: newId('payatt') }];
      });
      if (candidates.length === 0) return items.map(() => undefined);
      // Written only for an intent that awaits its authorization as it stands in the database (the
      // caller's copy may be old); a key's attempt, or another in flight, already there: not
      // prepared either (authorize sorts it out). The ids also as an array (see beginAttempt).
      const rows = candidates.map((c) => ({
        id: c.attemptId,
        payment_id: c.item.intent.id,
        key: c.item.idempotencyKey,
        provider: c.provider.name,
      }));
      const { rows: inserted } = await sql<{ id: string }>`
        insert into payments.attempts
          (id, payment_id, idempotency_key, provider, status, failure_code, failure_message, created_at, finished_at)
        select v.id, v.payment_id, v.key, v.provider, 'pending', null, null, ${ctx.clock.now()}::timestamptz, null
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(id text, payment_id text, key text, provider text)
        join payments.intents p on p.id = v.payment_id
        where p.id = any(${rows.map((r) => r.payment_id)}::text[]) and p.status = 'requires_authorization'
        on conflict do nothing
        returning id`.execute(executor);
      const written = new Set(inserted.map((r) => r.id));
      const handles = new Map<number, PreparedAuthorization>();
      for (const provider of new Set(candidates.map((c) => c.provider))) {
        const mine = candidates.filter((c) => c.provider === provider && written.has(c.attemptId));
        if (mine.length === 0 || !provider.prepareMany) continue;
        const sources = await provider.prepareMany(
          mine.map((c) => ({ token: c.item.source.token, idempotencyKey: c.attemptId })),
          trx,
        );
        mine.forEach((c, i) => {
          const source = sources[i];
          if (!source) return;
          const handle: PreparedAuthorization = Object.freeze({ intentId: c.item.intent.id });
          prepared.set(handle, {
            intent: c.item.intent,
            token: c.item.source.token,
            attemptId: c.attemptId,
            provider,
            source,
          });
          handles.set(c.n, handle);
        });
      }
      return items.map((_, n) => handles.get(n));
    },

    async authorizePrepared(handle) {
      const p = prepared.get(handle);
      if (!p) throw new Error(`payment ${handle.intentId}: not a prepared authorization, or used already`);
      prepared.delete(handle);
      const { result, tries } = await withRetries(ctx.retry, () =>
        p.provider.authorize({
          token: p.token,
          amount: p.intent.amount,
          currency: p.intent.currency,
          reference: p.intent.id,
          idempotencyKey: p.attemptId,
          prepared: p.source,
          settleApproval: 'caller',
        }),
      );
      if (!result.ok) {
        const answer = await recordAnswer(p.intent, p.attemptId, p.provider, result, tries);
        if (!answer.ok) return answer;
        // A concurrent replay of the key had recorded an approval: nothing left to record.
        throw new Error(`payment ${p.intent.id}: approved by a replay while its provider declined`);
      }
      const approval: UnrecordedApproval = Object.freeze({ intentId: p.intent.id });
      unrecorded.set(approval, {
        before: p.intent,
        attemptId: p.attemptId,
        providerName: p.provider.name,
        approval: result,
        tries,
        token: p.token,
        provider: p.provider,
      });
      return { ok: true, approval };
    },

    async recordApprovals(approvals, trx) {
      const items = approvals.map((a) => {
        const u = unrecorded.get(a);
        if (!u) throw new Error(`payment ${a.intentId}: not an approval answered by authorizePrepared`);
        return u;
      });
      const executor = trx as unknown as Kysely<PaymentsTables>;
      const byId = await recordApprovalRows(executor, ctx.clock, items);
      // Every approved source is spent, recorded here or not: the provider charged it under this key.
      for (const provider of new Set(items.map((u) => u.provider))) {
        await provider.settleApprovedMany?.(
          items
            .filter((u) => u.provider === provider)
            .map((u) => ({ token: u.token, idempotencyKey: u.attemptId })),
          trx,
        );
      }
      return approvals.map((a) => byId.get(a.intentId));
    },
  };
}
