import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds a process has used so far in all and in the kernel (system), or undefined once it is
 * gone; with `children`, also those of its children that exited and were waited for (pgbench, run
 * by this process, counts in its time once it exits).
 */
function cpuSecondsOf(pid: number, children = false): { all: number; kernel: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const [user, system, childUser, childSystem] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number) as [number, number, number, number];
    const kernel = (system + (children ? childSystem : 0)) / TICKS;
    return { all: (user + (children ? childUser : 0)) / TICKS + kernel, kernel };
  } catch {
    return undefined;
  }
}

/** The pids of every running process whose command name is `name` (e.g. `postgres`). */
function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface CpuShares {
  /** Cores' worth of CPU used by the server process over the window (1.0 = one core busy). */
  server: number;
  /** The same for every PostgreSQL process together. */
  postgres: number;
  /** Of `server` and `postgres`, the part spent in the kernel (system calls: sockets, files). */
  serverKernel: number;
  postgresKernel: number;
}

/** How often the window looks at PostgreSQL's processes, to count those that end before it does. */
const SAMPLE_MS = 100;

/**
 * Starts a CPU window over the server process and PostgreSQL's processes (Linux /proc); the
 * returned function ends it. Tells where a benchmark's time went: a saturated server (≈1.0,
 * Node runs JavaScript on one core) or a busy database.
 *
 * PostgreSQL's processes are counted one by one, each from its first sight in the window (a
 * backend started meanwhile from zero) to its last, sampled every 100 ms: a backend that ends
 * during the window (a pool closing an idle connection) counts up to its last sample. A
 * postmaster's count of its exited children would add such a backend's whole life, hours of
 * warm-up included, to the window.
 */
export function cpuWindow(serverPid: number): () => CpuShares {
  const began = performance.now();
  const zero = { all: 0, kernel: 0 };
  const first = new Map(pidsNamed('postgres').map((pid) => [pid, cpuSecondsOf(pid) ?? zero]));
  const last = new Map(first);
  const sample = () => {
    for (const pid of pidsNamed('postgres')) {
      const now = cpuSecondsOf(pid);
      if (!now) continue;
      if (!first.has(pid)) first.set(pid, zero);
      last.set(pid, now);
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();
  const server = cpuSecondsOf(serverPid, true) ?? zero;
  return () => {
    clearInterval(timer);
    sample();
    const seconds = (performance.now() - began) / 1000;
    let pgUsed = 0;
    let pgKernel = 0;
    for (const [pid, end] of last) {
      const start = first.get(pid) ?? zero;
      pgUsed += end.all - start.all;
      pgKernel += end.kernel - start.kernel;
    }
    const serverNow = cpuSecondsOf(serverPid, true) ?? zero;
    return {
      server: (serverNow.all - server.all) / seconds,
      postgres: pgUsed / seconds,
      serverKernel: (serverNow.kernel - server.kernel) / seconds,
      postgresKernel: pgKernel / seconds,
    };
  };
}
