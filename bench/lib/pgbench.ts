import { execFileSync } from 'node:child_process';
import { freshDatabase } from './scratch-database.ts';

/**
 * pgbench TPC-B-like, the checkout benchmarks' baseline: initialised at scale 10 in its own scratch
 * database on the server `admin` points at, then `-c connections -j 2 -T seconds`.
 */
export async function runPgbench(options: {
  admin: string;
  bin: string;
  connections: number;
  seconds: number;
}): Promise<{ tps: number; latencyMs: number }> {
  const url = await freshDatabase(options.admin, 'emporium_bench_pgbench');
  execFileSync(options.bin, ['-i', '-q', '-s', '10', url], { stdio: 'ignore' });
  const out = execFileSync(
    options.bin,
    ['-n', '-c', String(options.connections), '-j', '2', '-T', String(options.seconds), url],
    { encoding: 'utf8' },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(out)?.[1] ?? Number.NaN);
  return { tps, latencyMs };
}
