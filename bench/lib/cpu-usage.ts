import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system) a process has used so far, or 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
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
    for (const pid of pidsNamed('postgres')) pgUsed += cpuSecondsOf(pid) - (pg.get(pid) ?? 0);
    return { server: (cpuSecondsOf(serverPid) - server) / seconds, postgres: pgUsed / seconds };
  };
}
