import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/** Thrown when another live process holds the embedded data directory. */
export class DataDirInUseError extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The data directory ${dir} is in use by another Emporium process (pid ${pid}); ` +
        'stop that process first, or set EMPORIUM_DATA_DIR to another directory.',
    );
    this.name = 'DataDirInUseError';
  }
}

const heldHere = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dir>/emporium.lock` (created exclusively, holding our pid). PGlite has no locking of its
 * own: two processes writing one directory corrupt it. A lock left by a process that no longer
 * runs is taken over. Returns the release function (also run on process exit).
 */
export function lockDataDir(dir: string): () => void {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const file = join(abs, 'emporium.lock');
  if (heldHere.has(abs)) throw new DataDirInUseError(abs, process.pid);

  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
      closeSync(fd);
      heldHere.add(abs);
      const release = (): void => {
        if (!heldHere.delete(abs)) return;
        try {
          unlinkSync(file);
        } catch {
          // Already gone: nothing to release.
        }
        process.off('exit', release);
      };
      process.on('exit', release);
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: { pid?: unknown; host?: unknown } = {};
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
      } catch {
        // Unreadable or half-written lock: treat it as stale.
      }
      const pid = typeof holder.pid === 'number' ? holder.pid : undefined;
      const sameHost = holder.host === undefined || holder.host === hostname();
      if (pid !== undefined && pid !== process.pid && sameHost && isAlive(pid)) {
        throw new DataDirInUseError(abs, pid);
      }
      try {
        unlinkSync(file);
      } catch {
        // Another process removed it first; try again.
      }
    }
  }
  throw new Error(`Could not take the lock on ${abs}; another process keeps taking it.`);
}
