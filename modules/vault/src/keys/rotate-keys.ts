import { writeEvents } from '@emporium/platform';
import { type KeyRotated, vaultEvents } from '../contract/index.ts';
import type { VaultContext } from '../vault-context.ts';
import { unwrapKey, wrapKey } from './envelope.ts';

/** What one rotation run did. */
export interface RotationReport {
  /** The KEK every data key is now wrapped under. */
  keyId: string;
  /** Cards re-wrapped by this run (0 when a previous run had finished). */
  rewrapped: number;
  /** Wrapped secrets (the fingerprint key) re-wrapped by this run. */
  secrets: number;
  /** Key ids still referenced that this process does not hold (their records were left alone). */
  missingKeys: string[];
}

/**
 * Re-wraps every data key not under the current KEK, `batchSize` cards per transaction (rows
 * locked with SKIP LOCKED, so the shop keeps tokenizing and authorizing meanwhile and several
 * runs may overlap). Only the small wrapped data keys change; card ciphertexts stay as they are.
 * Idempotent and resumable: a run that stops half-way leaves every record readable (each carries
 * its key id), and the next run continues with what is left.
 */
export async function rotateKeys(
  ctx: VaultContext,
  options: { batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 500;
  const { id: newId, key: newKek } = ctx.keys.current;
  const missing = new Set<string>();
  let rewrapped = 0;
  for (;;) {
    const n = await ctx.db.transaction(async (trx) => {
      let q = trx
        .selectFrom('vault.cards')
        .select(['token', 'wrapped_key', 'key_id'])
        .where('key_id', '<>', newId)
        .orderBy('token')
        .limit(batchSize)
        .forUpdate()
        .skipLocked();
      if (missing.size > 0) q = q.where('key_id', 'not in', [...missing]);
      const rows = await q.execute();
      for (const row of rows) {
        const oldKek = ctx.keys.get(row.key_id);
        if (!oldKek) {
          missing.add(row.key_id);
          continue;
        }
        const dataKey = unwrapKey(oldKek, row.key_id, row.wrapped_key, row.token);
        await trx
          .updateTable('vault.cards')
          .set({ wrapped_key: wrapKey(newKek, newId, dataKey, row.token), key_id: newId })
          .where('token', '=', row.token)
          .execute();
        rewrapped++;
      }
      return rows.length;
    });
    options.onProgress?.(rewrapped);
    if (n === 0) break;
  }
  let secrets = 0;
  await ctx.db.transaction(async (trx) => {
    const rows = await trx
      .selectFrom('vault.wrapped_secrets')
      .selectAll()
      .where('key_id', '<>', newId)
      .forUpdate()
      .execute();
    for (const row of rows) {
      const oldKek = ctx.keys.get(row.key_id);
      if (!oldKek) {
        missing.add(row.key_id);
        continue;
      }
      const secret = unwrapKey(oldKek, row.key_id, row.wrapped, row.name);
      await trx
        .updateTable('vault.wrapped_secrets')
        .set({ wrapped: wrapKey(newKek, newId, secret, row.name), key_id: newId })
        .where('name', '=', row.name)
        .execute();
      secrets++;
    }
    if (rewrapped + secrets > 0) {
      await writeEvents<KeyRotated>(
        trx,
        [{ type: vaultEvents.keyRotated, key: newId, payload: { keyId: newId, rewrapped } }],
        ctx.clock,
      );
    }
  });
  if (rewrapped + secrets > 0) ctx.nudge();
  return { keyId: newId, rewrapped, secrets, missingKeys: [...missing] };
}
