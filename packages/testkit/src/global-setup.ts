import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  dumpEmbedded,
  type MigrationSource,
  migrate,
  openEmbeddedDatabase,
  openPostgresDatabase,
} from '@emporium/platform';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { databaseUrl, isReachable, type ServiceName, serviceUrls } from './services.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    emporiumRunId: string;
    emporiumPgliteTemplate: string;
    emporiumPostgresTemplate: string | null;
    emporiumServices: Record<ServiceName, boolean>;
  }
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serviceUrls.postgres });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Runs once per test run: migrates one embedded database and dumps it to a file, and (when
 * PostgreSQL answers) migrates one template database, so that each test starts from a copy in
 * a fraction of a second instead of initialising and migrating again.
 */
export async function setupTestRun(project: TestProject, sources: readonly MigrationSource[]) {
  const runId = `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const services = {
    postgres: await isReachable('postgres'),
    redis: await isReachable('redis'),
    nats: await isReachable('nats'),
  };
  const dir = mkdtempSync(join(tmpdir(), 'emporium-test-'));

  const embedded = await openEmbeddedDatabase();
  await migrate(embedded, sources);
  const blob = await dumpEmbedded(embedded);
  await embedded.close();
  const templateFile = join(dir, 'pglite-template.tar');
  writeFileSync(templateFile, Buffer.from(await blob.arrayBuffer()));

  let pgTemplate: string | null = null;
  if (services.postgres) {
    pgTemplate = `emporium_test_${runId}_template`;
    const name = pgTemplate;
    await admin((c) => c.query(`create database ${name}`));
    const db = openPostgresDatabase({ url: databaseUrl(name), poolSize: 2 });
    await migrate(db, sources);
    await db.close();
  }

  project.provide('emporiumRunId', runId);
  project.provide('emporiumPgliteTemplate', templateFile);
  project.provide('emporiumPostgresTemplate', pgTemplate);
  project.provide('emporiumServices', services);

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    // Everything a test made under this run's prefix goes, even when the test forgot or crashed.
    const prefix = `emptest_${runId}`;
    if (services.redis) await dropRedisKeys(`${prefix}*`);
    if (services.nats) await dropNatsStreams(prefix);
    if (services.postgres) {
      await admin(async (c) => {
        const left = await c.query<{ datname: string }>(
          'select datname from pg_database where datname like $1',
          [`emporium_test_${runId}_%`],
        );
        for (const { datname } of left.rows) await c.query(`drop database if exists ${datname} with (force)`);
      });
    }
  };
}

async function dropRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(serviceUrls.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function dropNatsStreams(prefix: string): Promise<void> {
  const nc = await connectNats({ servers: serviceUrls.nats });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const stream of jsm.streams.list()) {
      if (stream.config.name.startsWith(prefix)) await jsm.streams.delete(stream.config.name);
    }
  } finally {
    await nc.close();
  }
}
