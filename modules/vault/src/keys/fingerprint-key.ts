import { ConfigError } from '@emporium/platform';
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
    const stored = await storedKey(ctx);
    if (!stored) throw new Error("the vault's fingerprint key vanished after it was stored");
    return stored.unwrap();
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

/**
 * The stored fingerprint key (undefined when none is stored yet): the id of the key wrapping it,
 * and `unwrap`, which throws when the configured keys cannot open it.
 */
async function storedKey(ctx: VaultContext): Promise<{ keyId: string; unwrap(): Buffer } | undefined> {
  const row = await ctx.db.primary
    .selectFrom('vault.wrapped_secrets')
    .select(['wrapped', 'key_id'])
    .where('name', '=', NAME)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    keyId: row.key_id,
    unwrap() {
      const kek = ctx.keys.get(row.key_id);
      if (!kek)
        throw new Error(
          `the vault's fingerprint key is wrapped under ${row.key_id}, which is not configured`,
        );
      return unwrapKey(kek, row.key_id, row.wrapped, NAME);
    },
  };
}

/**
 * Stops start-up, with one line naming the setting, when the configured keys cannot open the keys
 * this database already holds (a VAULT_KEK other than the one they were wrapped with): otherwise
 * every card operation would fail later as an internal error. A new database passes.
 */
export async function assertKeysOpenVault(ctx: VaultContext): Promise<void> {
  const stored = await storedKey(ctx);
  if (!stored) return;
  try {
    stored.unwrap();
  } catch {
    throw new ConfigError([
      `VAULT_KEK does not open the card keys this database holds (wrapped under key ${stored.keyId}): set the VAULT_KEK they were made with, or pass it as VAULT_KEK_PREVIOUS while a rotation runs`,
    ]);
  }
}
