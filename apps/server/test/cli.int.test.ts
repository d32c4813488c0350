import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabaseUrl,
  type EmporiumProcess,
  hasService,
  requireService,
  runEmporium,
  serviceUrls,
  startEmporium,
  uniquePrefix,
} from '@emporium/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Real processes of the emporium CLI on the project's Node, against real PGlite directories and
// (where named) the real PostgreSQL, Redis and NATS of this machine.
// Each test starts the CLI in a new process (a fresh PGlite takes seconds to initialise): a loaded
// machine needs more than the default 30 s, so these get 120 s. Nothing here is timed.
describe('emporium CLI', { timeout: 120_000 }, () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'emporium-cli-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stops on a bad setting with one line naming it, and no stack trace', async () => {
    const r = await runEmporium(['start'], { PORT: 'abc', EMPORIUM_DATA_DIR: dataDir });
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toEqual([
      'emporium: invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")',
    ]);
  });

  it('reports every bad setting at once', async () => {
    const r = await runEmporium(['migrate'], { PORT: '0', REDIS_URL: 'http://x', EMPORIUM_DEMO: 'maybe' });
    expect(r.code).toBe(78);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    for (const name of ['PORT', 'REDIS_URL', 'EMPORIUM_DEMO']) expect(line).toContain(name);
  });

  it('answers an unknown command with usage and a command of a later module plainly', async () => {
    const unknown = await runEmporium(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const later = await runEmporium(['serve', '--service', 'catalog'], {});
    expect(later.code).toBe(2);
    expect(later.stderr).toContain('not available yet');
  });

  it('serves health, readiness, metrics and OpenAPI, answers malformed JSON with a 400 problem, and stops cleanly', async () => {
    // Demo seeding has its own test (seed.int.test.ts); this one starts an empty shop.
    const server = await startEmporium({ EMPORIUM_DATA_DIR: dataDir, EMPORIUM_DEMO: '0' });
    try {
      const health = await fetch(`${server.baseUrl}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${server.baseUrl}/readyz`);
      expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
      const metrics = await (await fetch(`${server.baseUrl}/metrics`)).text();
      expect(metrics).toContain('emporium_outbox_backlog 0');
      expect(metrics).toContain('nodejs_eventloop_lag_seconds');
      const openapi = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as { openapi: string };
      expect(openapi.openapi).toBe('3.1.0');
      const bad = await fetch(`${server.baseUrl}/healthz`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"broken',
      });
      expect(bad.status).toBe(400);
      expect(bad.headers.get('content-type')).toContain('application/problem+json');
      expect(((await bad.json()) as { code: string }).code).toBe('malformed_request');

      // A second process cannot open the same data directory.
      const second = await runEmporium(['migrate'], { EMPORIUM_DATA_DIR: dataDir });
      expect(second.code).toBe(1);
      expect(second.stderr.trim().split('\n')).toEqual([
        `emporium: The data directory ${dataDir} is in use by another Emporium process (pid ${server.child.pid}); stop that process first, or set EMPORIUM_DATA_DIR to another directory.`,
      ]);
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // The lock went with the process: the directory opens again, already migrated.
    const again = await runEmporium(['migrate'], { EMPORIUM_DATA_DIR: dataDir });
    expect(again.stderr).toContain('0 applied');
    expect(again.code).toBe(0);
  });

  it('lists no dead letters on a fresh database', async () => {
    const r = await runEmporium(['events', 'dead-letters', '--json'], { EMPORIUM_DATA_DIR: dataDir });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const replay = await runEmporium(['events', 'replay', 'dlq_nope'], { EMPORIUM_DATA_DIR: dataDir });
    expect(replay.code).toBe(1);
    expect(replay.stderr).toContain('no dead letter dlq_nope');
  });
});

describe.skipIf(!hasService('postgres'))('emporium CLI on PostgreSQL, Redis and NATS', () => {
  let server: EmporiumProcess | undefined;
  let drop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    if (server) expect(await server.stop()).toBe(0);
    server = undefined;
    await drop?.();
  });

  it('migrates one database from three processes at once', async () => {
    const db = await createTestDatabaseUrl();
    drop = db.drop;
    const results = await Promise.all(
      [1, 2, 3].map(() => runEmporium(['migrate'], { DATABASE_URL: db.url })),
    );
    expect(results.map((r) => r.code)).toEqual([0, 0, 0]);
    const applied = results.map((r) => Number(/migrations: (\d+) applied/.exec(r.stderr)?.[1]));
    // One process applied everything; the others found it done.
    expect(applied.filter((n) => n > 0)).toHaveLength(1);
  });

  it('reports every configured dependency in /readyz', async () => {
    requireService('redis');
    requireService('nats');
    const db = await createTestDatabaseUrl();
    drop = db.drop;
    server = await startEmporium({
      DATABASE_URL: db.url,
      VAULT_KEK: randomBytes(32).toString('base64'),
      REDIS_URL: serviceUrls.redis,
      REDIS_KEY_PREFIX: `${uniquePrefix('cli')}:`,
      NATS_URL: serviceUrls.nats,
      NATS_SUBJECT_PREFIX: uniquePrefix('cli')
        .replace(/[^A-Za-z0-9_-]/g, '')
        .slice(0, 32),
    });
    const ready = await fetch(`${server.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok', nats: 'ok' } });
  });
});

describe('emporium seed', { timeout: 120_000 }, () => {
  it('adds demo products to the embedded database with progress, and refuses a bad count', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'emporium-seed-'));
    try {
      const bad = await runEmporium(['seed', '--products', 'many'], { EMPORIUM_DATA_DIR: dataDir });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('--products must be an integer');
      const r = await runEmporium(['seed', '--products', '30'], { EMPORIUM_DATA_DIR: dataDir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('seeded 30 demo products (#0–#29)');
      const again = await runEmporium(['seed', '--products', '5'], { EMPORIUM_DATA_DIR: dataDir });
      expect(again.stderr).toContain('seeded 5 demo products (#30–#34)');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
