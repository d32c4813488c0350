import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabaseUrl, requireService, runEmporium } from '@emporium/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Real `emporium vault rotate-key` processes against a real PGlite directory and the real PostgreSQL.
// Each CLI process boots the whole app; on a busy machine that takes a while, hence the timeout.
describe('emporium vault rotate-key', { timeout: 240_000 }, () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'emporium-vault-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('in embedded mode makes the keyring (owner-only) and a new current key on each run', async () => {
    const first = await runEmporium(['vault', 'rotate-key', '--json'], { EMPORIUM_DATA_DIR: dataDir });
    expect(first.code, first.stderr).toBe(0);
    const path = join(dataDir, 'vault', 'keyring.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const report = JSON.parse(first.stdout) as { key_id: string; rewrapped: number };
    const ring = JSON.parse(readFileSync(path, 'utf8')) as { current: string; keys: Record<string, string> };
    expect(ring.current).toBe(report.key_id);
    expect(first.stderr).toContain(`every data key is wrapped under ${report.key_id}`);
    expect(first.stderr).not.toContain(ring.keys[ring.current]);

    const second = await runEmporium(['vault', 'rotate-key', '--json'], { EMPORIUM_DATA_DIR: dataDir });
    expect(second.code, second.stderr).toBe(0);
    const next = JSON.parse(second.stdout) as { key_id: string };
    expect(next.key_id).not.toBe(report.key_id);
    expect(Object.keys((JSON.parse(readFileSync(path, 'utf8')) as { keys: object }).keys)).toHaveLength(3);
  });

  it('answers usage errors plainly', async () => {
    const r = await runEmporium(['vault', 'spin'], { EMPORIUM_DATA_DIR: dataDir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('vault needs a subcommand: rotate-key');
  });

  it('with PostgreSQL stops with one line naming VAULT_KEK when it is not configured', async () => {
    requireService('postgres');
    const db = await createTestDatabaseUrl();
    try {
      const r = await runEmporium(['vault', 'rotate-key'], { DATABASE_URL: db.url });
      expect(r.code).toBe(78);
      // (A dependency may print its own runtime warning first; ours is one line, no stack.)
      expect(r.stderr.split('\n').filter((l) => l.startsWith('emporium:'))).toHaveLength(1);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stderr).toContain('VAULT_KEK (or VAULT_KEK_FILE) is required with DATABASE_URL');
      const bad = await runEmporium(['vault', 'rotate-key'], { DATABASE_URL: db.url, VAULT_KEK: 'short' });
      expect(bad.code).toBe(78);
      expect(bad.stderr).toContain('VAULT_KEK must be 32 random bytes in base64');
      const ok = await runEmporium(['vault', 'rotate-key'], {
        DATABASE_URL: db.url,
        VAULT_KEK: Buffer.alloc(32, 7).toString('base64'),
      });
      expect(ok.code, ok.stderr).toBe(0);
    } finally {
      await db.drop();
    }
  });
});
