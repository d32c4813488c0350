import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/app-error.ts';
import { loadPlatformConfig } from './platform-config.ts';

/** The ConfigError `loadPlatformConfig(env)` throws (fails the test when it throws nothing else). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadPlatformConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadPlatformConfig', () => {
  it('gives every setting its default when the environment is empty, and freezes the result', () => {
    const config = loadPlatformConfig({});
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: './data',
      demo: true,
      databaseUrl: undefined,
      replicaUrls: [],
      poolSize: 10,
      redisUrl: undefined,
      redisKeyPrefix: 'emporium:',
      natsUrl: undefined,
      natsSubjectPrefix: 'emporium',
      rateLimits: true,
      eventMaxAttempts: 10,
      shutdownTimeoutMs: 10_000,
      smtpUrl: undefined,
      mailFrom: 'Emporium <no-reply@emporium.local>',
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.replicaUrls)).toBe(true);
  });

  it('stops on an SMTP_URL that is not smtp: or smtps:, naming it', () => {
    expect(() => loadPlatformConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(loadPlatformConfig({ SMTP_URL: 'smtp://mail.example.com:2525' }).smtpUrl).toBe(
      'smtp://mail.example.com:2525',
    );
  });

  it('treats empty variables as unset', () => {
    expect(loadPlatformConfig({ PORT: '', DATABASE_URL: '', LOG_LEVEL: '' })).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      logLevel: 'info',
    });
  });

  it('reads valid values, normalising flags and log levels', () => {
    const config = loadPlatformConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      EMPORIUM_DEMO: 'off',
      DATABASE_URL: 'postgres://app@db:5432/emporium',
      DATABASE_REPLICA_URLS: 'postgresql://app@r1/emporium, postgres://app@r2/emporium',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_KEY_PREFIX: 'shop-1:',
      LOG_LEVEL: ' DEBUG ',
      EMPORIUM_RATE_LIMITS: 'No',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      demo: false,
      databaseUrl: 'postgres://app@db:5432/emporium',
      replicaUrls: ['postgresql://app@r1/emporium', 'postgres://app@r2/emporium'],
      redisUrl: 'rediss://cache:6380',
      redisKeyPrefix: 'shop-1:',
      logLevel: 'debug',
      rateLimits: false,
    });
  });

  it('refuses PORT=abc with a message naming PORT and what it expects', () => {
    const err = configError({ PORT: 'abc' });
    expect(err.problems).toEqual(['PORT must be an integer from 1 to 65535 (got "abc")']);
    expect(err.message).toBe('invalid configuration: PORT must be an integer from 1 to 65535 (got "abc")');
  });

  it.each(['0', '65536', '80.5', '1e3', ' '])('refuses PORT=%j', (port) => {
    expect(configError({ PORT: port }).problems).toEqual([expect.stringMatching(/^PORT must be an integer/)]);
  });

  it('reports every bad variable at once, each named', () => {
    const err = configError({
      PORT: 'abc',
      DATABASE_POOL_SIZE: '0',
      LOG_LEVEL: 'loud',
      EMPORIUM_DEMO: 'maybe',
      REDIS_URL: 'http://cache:6379',
      NATS_SUBJECT_PREFIX: 'has spaces',
    });
    expect(err.problems).toHaveLength(6);
    for (const name of [
      'PORT',
      'DATABASE_POOL_SIZE',
      'LOG_LEVEL',
      'EMPORIUM_DEMO',
      'REDIS_URL',
      'NATS_SUBJECT_PREFIX',
    ]) {
      expect(err.problems.some((p) => p.startsWith(`${name} `))).toBe(true);
      expect(err.message).toContain(name);
    }
    expect(err.problems).toContain(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    expect(err.problems).toContain('REDIS_URL must be a redis:// or rediss:// URL (got a http:// URL)');
  });

  it('refuses DATABASE_REPLICA_URLS without DATABASE_URL', () => {
    const err = configError({ DATABASE_REPLICA_URLS: 'postgres://app@replica/emporium' });
    expect(err.problems).toEqual([
      'DATABASE_REPLICA_URLS needs DATABASE_URL (replicas serve reads of a primary)',
    ]);
    expect(
      loadPlatformConfig({
        DATABASE_URL: 'postgres://app@primary/emporium',
        DATABASE_REPLICA_URLS: 'postgres://app@replica/emporium',
      }).replicaUrls,
    ).toEqual(['postgres://app@replica/emporium']);
  });

  it('says which replica entry is wrong in a sentence', () => {
    expect(
      configError({
        DATABASE_URL: 'postgres://p/db',
        DATABASE_REPLICA_URLS: 'postgres://r1/db,mysql://r2/db',
      }).problems,
    ).toEqual([
      'DATABASE_REPLICA_URLS has an entry that is not a postgres:// or postgresql:// URL (got a mysql:// URL)',
    ]);
  });

  it('never echoes a URL that may carry a password', () => {
    const secret = 'hunter2-S3cret';
    const err = configError({
      DATABASE_URL: `mysql://app:${secret}@db/emporium`,
      DATABASE_REPLICA_URLS: `postgres//app:${secret}@replica/emporium`,
      REDIS_URL: `redis//:${secret}@cache`,
      NATS_URL: `http://user:${secret}@nats:4222`,
    });
    expect(err.problems).toHaveLength(4);
    expect(err.message).not.toContain(secret);
    for (const p of err.problems) expect(p).not.toContain(secret);
  });
});

describe('connection URLs from files', () => {
  it('reads DATABASE_URL from DATABASE_URL_FILE, and refuses both at once', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'emporium-cfg-'));
    try {
      const file = join(dir, 'db-url');
      writeFileSync(file, 'postgres://app:s3cret@db.internal:5432/shop\n');
      expect(loadPlatformConfig({ DATABASE_URL_FILE: file }).databaseUrl).toBe(
        'postgres://app:s3cret@db.internal:5432/shop',
      );
      expect(() => loadPlatformConfig({ DATABASE_URL_FILE: file, DATABASE_URL: 'postgres://x/y' })).toThrow(
        /DATABASE_URL and DATABASE_URL_FILE are both set/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
