import { openIdentityAdmin } from '@emporium/identity';
import { createLogger, EnvSecretStore, type PlatformConfig, systemClock } from '@emporium/platform';
import { openMigratedDatabase } from '../runtime/open-database-for.ts';
import { say } from './output.ts';

/**
 * Runs `fn` with the identity module's admin parts on the configured database (migrated first).
 * In embedded mode the data directory lock makes this fail clearly while the server runs.
 */
export async function withIdentity<T>(
  config: PlatformConfig,
  fn: (identity: Awaited<ReturnType<typeof openIdentityAdmin>>) => Promise<T>,
): Promise<T> {
  const db = await openMigratedDatabase(config, say);
  try {
    const identity = await openIdentityAdmin({
      db,
      secrets: new EnvSecretStore(),
      clock: systemClock,
      logger: createLogger({ level: config.logLevel }),
    });
    return await fn(identity);
  } finally {
    await db.close();
  }
}

/** Everything on standard input, without the trailing newline (how a password is piped in). */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) say('Type the password, then press Enter and Ctrl-D:');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `--role a,b` or `--role a --role b`. */
export const rolesFrom = (values: readonly string[]): string[] => [
  ...new Set(
    values
      .flatMap((v) => v.split(','))
      .map((r) => r.trim())
      .filter(Boolean),
  ),
];
