import { createBatcher, fulfilled, newId } from '@emporium/platform';
import { type Kysely, type Selectable, sql } from 'kysely';
import { validateCard } from '../card/validate-card.ts';
import type {
  AcquirerResult,
  AuthorizationApproved,
  CardDescription,
  ClaimedCard,
  VaultService,
} from '../contract/index.ts';
import type { CardsTable, VaultTables } from '../db/tables.ts';
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
  /** null: an approval's rule, decided by the row (an unsaved token is spent). */
  spent: boolean | null;
}

/** Where the vault's statements run: its pool, or a caller's transaction. */
type Executor = Kysely<VaultTables>;

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
  // (natural batching; one call a token in each batch, so each sees the one before), or for the
  // items a caller claims or settles in its own transaction. The tokens are also named as an
  // array: PostgreSQL guesses a hundred rows from jsonb_to_recordset and would scan every card;
  // with the array it reads the cards by their key.
  const claimRows = async (
    executor: Executor,
    items: readonly { token: string; key: string }[],
  ): Promise<Map<string, Selectable<CardsTable>>> => {
    const now = ctx.clock.now();
    const { rows } = await sql<Selectable<CardsTable>>`
      update vault.cards c
      set status = 'authorizing', claimed_by = v.key, claimed_at = ${now}
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as v(token text, key text)
      where c.token = v.token and c.token = any(${items.map((i) => i.token)}::text[])
        and (c.customer_id is not null or c.created_at >= ${liveSince()} or c.claimed_by = v.key)
        and (c.status = 'active' or c.claimed_by = v.key
          or (c.status = 'authorizing' and c.claimed_at < ${new Date(now.getTime() - STALE_CLAIM_MS)}))
      returning c.*`.execute(executor);
    return new Map(rows.map((r) => [r.token, r]));
  };
  const claim = createBatcher(
    async (items: readonly { token: string; key: string }[]) => {
      const byToken = await claimRows(ctx.db.primary, items);
      return items.map((i) => fulfilled(byToken.get(i.token)));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.token },
  );
  // `spent` null: the approval's own rule (an unsaved token is spent, a saved one stays usable).
  const settleRows = async (executor: Executor, items: readonly Settle[]): Promise<void> => {
    await sql`
      update vault.cards c
      set status = case when coalesce(v.spent, c.customer_id is null) then 'used' else 'active' end,
        used_at = case when coalesce(v.spent, c.customer_id is null) then ${ctx.clock.now()} else c.used_at end,
        claimed_by = case when coalesce(v.spent, c.customer_id is null) then c.claimed_by end,
        claimed_at = case when coalesce(v.spent, c.customer_id is null) then c.claimed_at end
      from jsonb_to_recordset(${JSON.stringify(items)}::jsonb) as v(token text, key text, spent boolean)
      where c.token = v.token and c.token = any(${items.map((i) => i.token)}::text[])
        and c.claimed_by = v.key`.execute(executor);
  };
  const settle = createBatcher(
    async (items: readonly Settle[]) => {
      await settleRows(ctx.db.primary, items);
      return items.map(() => fulfilled(undefined));
    },
    { maxBatch: MAX_BATCH, distinctBy: (i) => i.token },
  );
  // The rows behind the handles claimMany gave out, each taken by the one call it serves. A
  // WeakMap: the handle names no card data, and a handle never used goes with its row.
  const claimedRows = new WeakMap<ClaimedCard, Selectable<CardsTable>>();

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

    async claimMany(items, trx) {
      if (items.length === 0) return [];
      const byToken = await claimRows(
        trx as unknown as Executor,
        items.map((i) => ({ token: i.token, key: i.idempotencyKey })),
      );
      return items.map((i) => {
        const row = byToken.get(i.token);
        if (!row || row.claimed_by !== i.idempotencyKey) return undefined;
        const handle: ClaimedCard = Object.freeze({ token: i.token, idempotencyKey: i.idempotencyKey });
        claimedRows.set(handle, row);
        return handle;
      });
    },

    async settleApprovedMany(items, trx) {
      if (items.length === 0) return;
      await settleRows(
        trx as unknown as Executor,
        items.map((i) => ({ token: i.token, key: i.idempotencyKey, spent: null })),
      );
    },

    async forwardAuthorization(token, request, options = {}): Promise<AcquirerResult<AuthorizationApproved>> {
      // Claim the token for this idempotency key, in the statement that reads it: a single-use token
      // serves one authorization (while it lives); the same key may come back (a retry, a replay)
      // and gets the acquirer's first answer; a claim left by a dead process lapses. A claim the
      // caller made in its own transaction (claimMany) serves its first call only: a retry claims.
      const handed = options.claimed ? claimedRows.get(options.claimed) : undefined;
      if (options.claimed) claimedRows.delete(options.claimed);
      const row =
        handed && handed.token === token && options.claimed?.idempotencyKey === request.idempotencyKey
          ? handed
          : await claim({ token, key: request.idempotencyKey });
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
      // A decline frees the token (the shopper may fix the problem); a saved card stays usable. An
      // approval the caller records in its own transaction is settled there (settleApprovedMany).
      if (!(result.ok && options.settleApproval === 'caller')) {
        await settle({ token, key: request.idempotencyKey, spent: result.ok && row.customer_id === null });
      }
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
