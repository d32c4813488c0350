import { migrate, migrationStatus, type PlatformConfig } from '@emporium/platform';
import { migrationSources } from '../migration-sources.ts';
import { openDatabaseFor } from '../runtime/open-database-for.ts';
import { EXIT, say } from './output.ts';

export async function runMigrate(config: PlatformConfig, options: { status: boolean }): Promise<number> {
  const db = await openDatabaseFor(config, say);
  try {
    if (options.status) {
      for (const m of await migrationStatus(db, migrationSources)) {
        process.stdout.write(
          `${m.appliedAt ? m.appliedAt.toISOString() : 'pending                 '}  ${m.module}/${m.name}\n`,
        );
      }
      return EXIT.ok;
    }
    const report = await migrate(db, migrationSources);
    for (const m of report.applied) say(`applied ${m.module}/${m.name}`);
    say(`migrations: ${report.applied.length} applied, ${report.alreadyApplied} already in place`);
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
