import { parseArgs } from 'node:util';
import type { PlatformConfig } from '@emporium/platform';
import { sql } from 'kysely';
import { openMigratedDatabase } from '../runtime/open-database-for.ts';
import { indexDemoBatch, indexDemoCategories } from '../seed/index-demo-batch.ts';
import { seedDemo } from '../seed/seed-demo.ts';
import { EXIT, say, UsageError } from './output.ts';

/** `emporium seed --products N [--from K] [--batch B]`: adds N products of the demo catalog. */
export async function runSeed(config: PlatformConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { products: { type: 'string' }, from: { type: 'string' }, batch: { type: 'string' } },
    strict: true,
  });
  const count = (name: string, raw: string | undefined, min: number, max: number): number | undefined => {
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const products = count('products', values.products, 1, 10_000_000);
  if (products === undefined) throw new UsageError('seed needs --products N');
  const from = count('from', values.from, 0, 100_000_000);
  const batchSize = count('batch', values.batch, 1, 20_000) ?? 1000;
  const db = await openMigratedDatabase(config, say);
  try {
    const began = performance.now();
    let lastReport = 0;
    const result = await seedDemo(db, {
      products,
      ...(from === undefined ? {} : { from }),
      batchSize,
      index: indexDemoBatch,
      indexCategories: indexDemoCategories,
      progress: (done, total) => {
        const now = performance.now();
        if (done === total || now - lastReport > 2000) {
          lastReport = now;
          const rate = Math.round(done / ((now - began) / 1000));
          say(
            `seeded ${done.toLocaleString('en')} / ${total.toLocaleString('en')} products (${rate.toLocaleString('en')}/s)`,
          );
        }
      },
    });
    if (db.kind === 'postgres') {
      // After a bulk load: statistics for the planner, and the visibility map, hint bits and the
      // search index's pending entries written now rather than by the first shoppers' queries
      // (or by autovacuum in the middle of them).
      say('vacuuming and analysing the loaded tables…');
      await sql`vacuum (analyze)`.execute(db.primary);
    }
    say(
      `seeded ${result.loaded.toLocaleString('en')} demo products (#${result.from}–#${result.from + result.loaded - 1}) in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    return EXIT.ok;
  } finally {
    await db.close();
  }
}
