import { createBatcher, fulfilled, newId } from '@emporium/platform';
import { type Selectable, sql } from 'kysely';
import { validateCard } from '../card/validate-card.ts';
import type {
  AcquirerResult,
  AuthorizationApproved,
  CardDescription,
  VaultService,
} from '../contract/index.ts';
import type { CardsTable } from '../db/tables.ts';
import { fingerprintOf, newKey, open, seal, unwrapKey, wrapKey } from '../keys/envelope.ts';
import { fingerprintKeyLoader } from '../keys/fingerprint-key.ts';
import type { VaultContext } from '../vault-context.ts';

/** A claim on a token by an authorization whose process died is taken over after this long. */
const STALE_CLAIM_MS = 2 * 60_000;

const describeRow = (
  row: Pick<CardsTable, 'token' | 'brand' | 'last4' | 'exp_month' | 'exp_year'>,
): CardDescription => ({
  token: row.token,
  brand: row.brand as CardDescription['brand'],
  last4: row.last4,
  expMonth: row.exp_month,
  expYear: row.exp_year,
});

/** How many authorizations one batched statement serves at most. */
const MAX_BATCH = 32;

/** A claim's end: the token spent (`used`) or given back (`active`, the claim cleared). */
interface Settle {
  token: string;
  key: string;
  spent: boolean;
}

/** What is sealed under a card's data key: the number and the cardholder name, nothing else. */
interface SealedCard {
  number: string;
  name?: string;
}

/** The vault service: see VaultService in contract/ for the rules. */
export function createVaultService(ctx: VaultContext): VaultService {
  const fingerprintKey = fingerprintKeyLoader(ctx);

  async function decrypt(
    row: Pick<CardsTable, 'token' | 'pan_ciphertext' | 'wrapped_key' | 'key_id'>,
  ): Promise<SealedCard> {
    const kek = ctx.keys.get(row.key_id);
    if (!kek)
      throw new Error(`card data key is wrapped under ${row.key_id}, which this process does not have`);
    const dataKey = unwrapKey(kek, row.key_id, row.wrapped_key, row.token);
    return JSON.parse(open(dataKey, row.pan_ciphertext, row.token).toString('utf8')) as SealedCard;
  }

  const liveSince = () => new Date(ctx.clock.now().getTime() - ctx.tokenTtlMs);

  /** Why `forwardAuthorization` could not claim `token` (read again: the unusual path). */
  const refusedClaim = async (token: string, key: string): Promise<AcquirerResult<never>> => {
    const row = await ctx.db.primary
      .selectFrom('vault.cards')
      .select(['status', 'customer_id', 'created_at', 'claimed_by'])
      .where('token', '=', token)
      .executeTakeFirst();
    if (!row || (row.customer_id === null && row.created_at < liveSince() && row.claimed_by !== key)) {
      return {
        ok: false,
        code: 'token_not_found',
        retryable: false,
        message: 'The card details have lapsed. Enter the card again.',
      };
    }
    return row.status === 'authorizing'
      ? {
          ok: false,
          code: 'processor_error',
          retryable: true,
          message: 'This card is being charged by another request.',
        }
      : {
          ok: false,
          code: 'token_used',
          retryable: false,
          message: 'These card details were already used. Enter the card again.',
        };
  };

  // The claim and its end, each one statement for the authorizations making it at the same time
  // (natural batching; one call a token in each batch, so each sees the one before). The tokens are
  // also named as an array: PostgreSQL guesses a hundred rows from jsonb_to_recordset and would
  // scan every card; with the array it reads the cards by their key.
  const claim = createBatcher(
    async (items: readonly { token: string; key: string }[]) => {
      const now = ctx.clock.now();
      const { rows } = await sql<Selectable<CardsTable>>`
        update vault.cards c
        set status = 'authorizing', claimed_by = v.key, claimed_at = ${now}
        from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as v(token text, key text)
        where c.token = v.token and c.token = any(${items.map((i) => i.token)}::text[])
          and (c.customer_id is not null or c.created_at >= ${liveSince()} or c.claimed_by = v.key)
          and (c.status = 'active' or c.claimed_by = v.key
            or (c.status = 'authorizing' and c.claimed_at < ${new Date(now.getTime() - STALE_CLAIM_MS)}))
        returning c.*`.execute(ctx.db.primary);
      const byToken = new Map(rows.map((r) => [r.token, r]));
      return items.map((i) => fulfilled(byToken.get(i.token)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.token },
  );
  const settle = createBatcher(
    async (items: readonly Settle[]) => {
      await sql`
        update vault.cards c
        set status = case when v.spent then 'used' else 'active' end,
          used_at = case when v.spent then ${ctx.clock.now()} else c.used_at end,
          claimed_by = case when v.spent then c.claimed_by end,
          claimed_at = case when v.spent then c.claimed_at end
        from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as v(token text, key text, spent boolean)
        where c.token = v.token and c.token = any(${items.map((i) => i.token)}::text[])
          and c.claimed_by = v.key`.execute(ctx.db.primary);
      return items.map(() => fulfilled(undefined));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.token },
  );

  return {
    async tokenize(input) {
      const now = ctx.clock.now();
      const checked = validateCard(input, now);
      if (!checked.ok) return checked;
      const card = checked.card;
      const token = newId('tok');
      const dataKey = newKey();
      const { id: keyId, key: kek } = ctx.keys.current;
      const sealedCard: SealedCard = { number: card.number, ...(card.name ? { name: card.name } : {}) };
      await ctx.db.primary
        .insertInto('vault.cards')
        .values({
          token,
          fingerprint: fingerprintOf(await fingerprintKey(), card.number),
          brand: card.brand,
          last4: card.number.slice(-4),
          exp_month: card.expMonth,
          exp_year: card.expYear,
          pan_ciphertext: seal(dataKey, Buffer.from(JSON.stringify(sealedCard), 'utf8'), token),
          wrapped_key: wrapKey(kek, keyId, dataKey, token),
          key_id: keyId,
          customer_id: null,
          claimed_by: null,
          claimed_at: null,
          created_at: now,
          used_at: null,
        })
        .execute();
      ctx.cvcs.put(token, card.cvc);
      return {
        ok: true,
        card: {
          token,
          brand: card.brand,
          last4: card.number.slice(-4),
          expMonth: card.expMonth,
          expYear: card.expYear,
        },
      };
    },

    async describe(token) {
      const row = await ctx.db.primary
        .selectFrom('vault.cards')
        .select(['token', 'brand', 'last4', 'exp_month', 'exp_year'])
        .where('token', '=', token)
        .executeTakeFirst();
      return row ? describeRow(row) : undefined;
    },

    async forwardAuthorization(token, request): Promise<AcquirerResult<AuthorizationApproved>> {
      // Claim the token for this idempotency key, in the statement that reads it: a single-use token
      // serves one authorization (while it lives); the same key may come back (a retry, a replay)
      // and gets the acquirer's first answer; a claim left by a dead process lapses.
      const row = await claim({ token, key: request.idempotencyKey });
      if (!row) return refusedClaim(token, request.idempotencyKey);
      const card = describeRow(row);
      const { token: _t, ...display } = card;
      const sealed = await decrypt(row);
      const cvc = ctx.cvcs.get(token);
      let result: AcquirerResult<{ authorizationRef: string }>;
      try {
        result = await ctx.acquirer.authorize(
          {
            number: sealed.number,
            brand: card.brand,
            expMonth: card.expMonth,
            expYear: card.expYear,
            ...(cvc === undefined ? {} : { cvc }),
          },
          request,
        );
      } catch (err) {
        ctx.logger.warn({ token, err: (err as Error).message }, 'vault: acquirer call failed');
        result = {
          ok: false,
          code: 'processor_error',
          retryable: true,
          message: 'The card processor could not be reached.',
        };
      }
      if (!result.ok && result.retryable) {
        // Nothing was charged: free the token (keeping the CVC) so that a retry with this key, or a
        // new attempt after the caller gave up, can claim it again.
        await ctx.db.primary
          .updateTable('vault.cards')
          .set({ status: 'active', claimed_by: null, claimed_at: null })
          .where('token', '=', token)
          .where('claimed_by', '=', request.idempotencyKey)
          .where('used_at', 'is', null)
          .execute();
        await ctx.db.primary
          .updateTable('vault.cards')
          .set({ status: 'used' })
          .where('token', '=', token)
          .where('claimed_by', '=', request.idempotencyKey)
          .where('used_at', 'is not', null)
          .execute();
        return result;
      }
      ctx.cvcs.forget(token);
      // A decline frees the token (the shopper may fix the problem); a saved card stays usable.
      await settle({ token, key: request.idempotencyKey, spent: result.ok && row.customer_id === null });
      return result.ok ? { ok: true, authorizationRef: result.authorizationRef, card: display } : result;
    },

    async saveToCustomer(token, customerId) {
      const r = await ctx.db.primary
        .updateTable('vault.cards')
        .set({ customer_id: customerId })
        .where('token', '=', token)
        .where('status', '!=', 'used')
        .where((eb) => eb.or([eb('customer_id', 'is', null), eb('customer_id', '=', customerId)]))
        .where((eb) => eb.or([eb('customer_id', 'is not', null), eb('created_at', '>=', liveSince())]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 1) return { ok: true };
      const row = await ctx.db.primary
        .selectFrom('vault.cards')
        .select('status')
        .where('token', '=', token)
        .executeTakeFirst();
      return { ok: false, code: row?.status === 'used' ? 'token_used' : 'token_not_found' };
    },

    acquirer: {
      capture: (ref, amount, key) => ctx.acquirer.capture(ref, amount, key),
      void: (ref, key) => ctx.acquirer.void(ref, key),
      refund: (ref, amount, key) => ctx.acquirer.refund(ref, amount, key),
    },
  };
}

/** Cards whose data key is not yet under the current KEK (for the rotation's progress). */
export async function countStaleCards(ctx: VaultContext): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int as n from vault.cards where key_id <> ${ctx.keys.current.id}
  `.execute(ctx.db.primary);
  return r.rows[0]?.n ?? 0;
}
