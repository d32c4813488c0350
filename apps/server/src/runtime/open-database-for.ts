import { resolve } from 'node:path';
import {
  type Database,
  migrate,
  openEmbeddedDatabase,
  openPostgresDatabase,
  type PlatformConfig,
} from '@emporium/platform';
import { migrationSources } from '../migration-sources.ts';

/**
 * The database of the configured mode: PostgreSQL (with replicas) when DATABASE_URL is set,
 * else the embedded one in EMPORIUM_DATA_DIR, locked against a second process.
 */
export function openDatabaseFor(config: PlatformConfig, tell: (line: string) => void): Promise<Database> {
  if (config.databaseUrl) {
    return Promise.resolve(
      openPostgresDatabase({
        url: config.databaseUrl,
        replicaUrls: config.replicaUrls,
        poolSize: config.poolSize,
      }),
    );
  }
  return openEmbeddedDatabase({
    dataDir: config.dataDir,
    onInitialise: () =>
      tell(
        `Creating the embedded database in ${resolve(config.dataDir)} (first start only; takes a few seconds)…`,
      ),
  });
}

/** The configured database with every pending migration applied (for commands that read platform tables). */
export async function openMigratedDatabase(
  config: PlatformConfig,
  tell: (line: string) => void,
): Promise<Database> {
  const db = await openDatabaseFor(config, tell);
  try {
    await migrate(db, migrationSources);
    return db;
  } catch (err) {
    await db.close();
    throw err;
  }
}
