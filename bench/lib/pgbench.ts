import { execFile, execFileSync } from 'node:child_process';
import { cpuWindow } from './cpu-usage.ts';
import { freshDatabase } from './scratch-database.ts';

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  /** Transactions pgbench completed (its "number of transactions actually processed"). */
  transactions: number;
  /** Cores' worth of CPU over the run: pgbench (with this process) and PostgreSQL. */
  cpu: { client: number; postgres: number };
}

/**
 * pgbench TPC-B-like, the checkout benchmarks' baseline: initialised at scale 10 in its own scratch
 * database on the server `admin` points at, then `-c connections -j 2 -T seconds`.
 */
export async function runPgbench(options: {
  admin: string;
  bin: string;
  connections: number;
  seconds: number;
}): Promise<PgbenchResult> {
  const url = await freshDatabase(options.admin, 'emporium_bench_pgbench');
  execFileSync(options.bin, ['-i', '-q', '-s', '10', url], { stdio: 'ignore' });
  return runPgbenchOn(url, options);
}

/**
 * pgbench `-n -c connections -j 2 -T seconds` on the database at `url`: the built-in TPC-B-like
 * script, or the custom `script` file (`-f`). Measures the CPU pgbench and PostgreSQL used.
 */
export function runPgbenchOn(
  url: string,
  options: {
    bin: string;
    connections: number;
    seconds: number;
    script?: string;
    /** pgbench's query protocol (`-M`): simple by default, as for the baseline. */
    mode?: 'simple' | 'prepared';
    /** Variables the script reads (`-D name=value`). */
    variables?: Record<string, string>;
  },
): Promise<PgbenchResult> {
  const args = ['-n', '-c', String(options.connections), '-j', '2', '-T', String(options.seconds)];
  if (options.script) args.push('-f', options.script);
  if (options.mode) args.push('-M', options.mode);
  for (const [name, value] of Object.entries(options.variables ?? {})) args.push('-D', `${name}=${value}`);
  return new Promise((resolve, reject) => {
    // pgbench's time counts in this process's once it exits (see cpuSecondsOf).
    const stop = cpuWindow(process.pid);
    execFile(options.bin, [...args, url], { encoding: 'utf8' }, (err, out, errOut) => {
      const cpu = stop();
      if (err) {
        reject(new Error(`pgbench failed: ${errOut || err.message}`));
        return;
      }
      const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
      resolve({
        tps: number(/tps = ([\d.]+)/),
        latencyMs: number(/latency average = ([\d.]+) ms/),
        transactions: number(/number of transactions actually processed: (\d+)/),
        cpu: { client: cpu.server, postgres: cpu.postgres },
      });
    });
  });
}
