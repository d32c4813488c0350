import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, lockDataDir } from './data-dir-lock.ts';
import { openEmbeddedDatabase } from './open-database.ts';

const holder = fileURLToPath(new URL('./fixtures/hold-lock.ts', import.meta.url));

describe('embedded data directory lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'emporium-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second process with one line naming the directory and the holder', async () => {
    const child = spawn(process.execPath, [holder, dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`holder exited with ${code}`)));
      });
      let error: unknown;
      try {
        lockDataDir(dir);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(DataDirInUseError);
      const message = (error as Error).message;
      expect(message).toContain(dir);
      expect(message).toContain(`pid ${child.pid}`);
      expect(message).not.toContain('\n');
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    }
    // Once the holder has gone, the directory can be taken.
    lockDataDir(dir)();
  });

  it('takes over a lock left by a process that no longer runs', () => {
    writeFileSync(join(dir, 'emporium.lock'), JSON.stringify({ pid: 2 ** 22 + 7 }));
    const release = lockDataDir(dir);
    expect(() => lockDataDir(dir)).toThrow(DataDirInUseError);
    release();
  });

  it('keeps a second embedded database in the same process out until the first closes', async () => {
    const first = await openEmbeddedDatabase({ dataDir: dir });
    await expect(openEmbeddedDatabase({ dataDir: dir })).rejects.toThrow(DataDirInUseError);
    await first.close();
    const second = await openEmbeddedDatabase({ dataDir: dir });
    await second.close();
  });
});
