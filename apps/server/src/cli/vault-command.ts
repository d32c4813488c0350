import { parseArgs } from 'node:util';
import { createLogger, EnvSecretStore, type PlatformConfig, systemClock } from '@emporium/platform';
import { rotateVaultKey } from '@emporium/vault';
import { openMigratedDatabase } from '../runtime/open-database-for.ts';
import { EXIT, say, UsageError } from './output.ts';

/**
 * `emporium vault rotate-key [--batch N] [--json]`: re-wraps every card data key under the current
 * key-encryption key, in batches; safe to stop and run again (it resumes). In embedded mode with no
 * VAULT_KEK it makes the new KEK in the data directory's keyring first.
 */
export async function runVault(config: PlatformConfig, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'rotate-key')
    throw new UsageError(`vault needs a subcommand: rotate-key (got ${sub ?? 'nothing'})`);
  const { values } = parseArgs({
    args: rest,
    options: { batch: { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const batchSize = values.batch === undefined ? 500 : Number(values.batch);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    throw new UsageError('--batch must be an integer from 1 to 10000');
  }
  const db = await openMigratedDatabase(config, say);
  try {
    let last = 0;
    const report = await rotateVaultKey(
      {
        db,
        secrets: new EnvSecretStore(),
        dataDir: config.dataDir,
        clock: systemClock,
        logger: createLogger({ level: config.logLevel }),
      },
      {
        batchSize,
        onProgress: (done) => {
          if (done - last >= batchSize * 10) {
            last = done;
            say(`re-wrapped ${done.toLocaleString('en')} card keys…`);
          }
        },
      },
    );
    if (values.json) {
      process.stdout.write(
        `${JSON.stringify({ key_id: report.keyId, rewrapped: report.rewrapped, missing_keys: report.missingKeys })}\n`,
      );
    }
    say(
      `vault: every data key is wrapped under ${report.keyId} (${report.rewrapped.toLocaleString('en')} card keys re-wrapped now${report.source === 'file' ? '; the keyring file holds the new key' : ''}).`,
    );
    if (report.missingKeys.length > 0) {
      say(
        `vault: some cards are wrapped under keys this process does not have (${report.missingKeys.join(', ')}); add them to VAULT_KEK_PREVIOUS and run again.`,
      );
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
