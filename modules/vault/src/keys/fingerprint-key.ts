import type { VaultContext } from '../vault-context.ts';
import { newKey, unwrapKey, wrapKey } from './envelope.ts';

const NAME = 'fingerprint_hmac';

/**
 * The HMAC key for card fingerprints: made once, kept in vault.wrapped_secrets wrapped under the
 * KEK (so rotation re-wraps it with the cards), cached in memory once unwrapped.
 */
export function fingerprintKeyLoader(ctx: VaultContext): () => Promise<Buffer> {
  let cached: Promise<Buffer> | undefined;
  const load = async (): Promise<Buffer> => {
    const { id, key } = ctx.keys.current;
    const fresh = newKey();
    await ctx.db.primary
      .insertInto('vault.wrapped_secrets')
      .values({ name: NAME, wrapped: wrapKey(key, id, fresh, NAME), key_id: id, created_at: ctx.clock.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await ctx.db.primary
      .selectFrom('vault.wrapped_secrets')
      .select(['wrapped', 'key_id'])
      .where('name', '=', NAME)
      .executeTakeFirstOrThrow();
    const kek = ctx.keys.get(row.key_id);
    if (!kek)
      throw new Error(`the vault's fingerprint key is wrapped under ${row.key_id}, which is not configured`);
    return unwrapKey(kek, row.key_id, row.wrapped, NAME);
  };
  return () => {
    cached ??= load().catch((err: unknown) => {
      cached = undefined;
      throw err;
    });
    return cached;
  };
}

export const FINGERPRINT_SECRET = NAME;
