import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/**
 * CPU seconds a process has used so far in all and in the kernel (system), or 0 once it is gone,
 * with those of its children that exited and were waited for: PostgreSQL's backends end with
 * their connections, and their time then counts in the postmaster's.
 */
function cpuSecondsOf(pid: number): { all: number; kernel: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const [user, system, childUser, childSystem] = stat
      .slice(stat.lastIndexOf(')') + 2)
      .split(' ')
      .slice(11, 15)
      .map(Number) as [number, number, number, number];
    const kernel = (system + childSystem) / TICKS;
    return { all: (user + childUser) / TICKS + kernel, kernel };
  } catch {
    return { all: 0, kernel: 0 };
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

/**
 * Starts a CPU window over the server process and PostgreSQL's processes (Linux /proc); the
 * returned function ends it. Tells where a benchmark's time went: a saturated server (≈1.0,
 * Node runs JavaScript on one core) or a busy database.
 */
export function cpuWindow(serverPid: number): () => CpuShares {
  const began = performance.now();
  const pg = new Map(pidsNamed('postgres').map((pid) => [pid, cpuSecondsOf(pid)]));
  const server = cpuSecondsOf(serverPid);
  return () => {
    const seconds = (performance.now() - began) / 1000;
    let pgUsed = 0;
    let pgKernel = 0;
    for (const pid of pidsNamed('postgres')) {
      const now = cpuSecondsOf(pid);
      const before = pg.get(pid) ?? { all: 0, kernel: 0 };
      pgUsed += now.all - before.all;
      pgKernel += now.kernel - before.kernel;
    }
    const serverNow = cpuSecondsOf(serverPid);
    return {
      server: (serverNow.all - server.all) / seconds,
      postgres: pgUsed / seconds,
      serverKernel: (serverNow.kernel - server.kernel) / seconds,
      postgresKernel: pgKernel / seconds,
    };
  };
}
