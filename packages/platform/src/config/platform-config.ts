import { ConfigError } from '../errors/app-error.ts';
import { EnvSecretStore } from '../secrets/secrets.ts';
import { flag, integer, oneOf, readSettings, text, url, urlList } from './settings.ts';

/** Every setting the platform reads, with its default. API.md's configuration table mirrors this. */
const spec = {
  PORT: integer({ min: 1, max: 65535, default: 3000 }),
  HOST: text({ default: '127.0.0.1', pattern: /^[\w.:-]+$/, describe: 'a host name or IP address' }),
  EMPORIUM_DATA_DIR: text({ default: './data' }),
  EMPORIUM_DEMO: flag(true),
  DATABASE_URL: url(['postgres', 'postgresql']),
  DATABASE_REPLICA_URLS: urlList(['postgres', 'postgresql']),
  DATABASE_POOL_SIZE: integer({ min: 1, max: 500, default: 10 }),
  REDIS_URL: url(['redis', 'rediss']),
  REDIS_KEY_PREFIX: text({
    default: 'emporium:',
    pattern: /^[\w:.-]{1,64}$/,
    describe: 'letters, digits and :.-_',
  }),
  NATS_URL: url(['nats', 'tls']),
  NATS_SUBJECT_PREFIX: text({
    default: 'emporium',
    pattern: /^[A-Za-z0-9_-]{1,32}$/,
    describe: 'letters, digits, - and _',
  }),
  EMPORIUM_RATE_LIMITS: flag(true),
  EMPORIUM_EVENT_MAX_ATTEMPTS: integer({ min: 1, max: 100, default: 10 }),
  EMPORIUM_SHUTDOWN_TIMEOUT_MS: integer({ min: 0, max: 600_000, default: 10_000 }),
  SMTP_URL: url(['smtp', 'smtps']),
  EMPORIUM_MAIL_FROM: text({
    default: 'Emporium <no-reply@emporium.local>',
    pattern: /^[^\r\n]{3,200}$/,
    describe: 'a sender such as "Shop <orders@example.com>" on one line',
  }),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
};

export type PlatformConfig = {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly demo: boolean;
  readonly databaseUrl: string | undefined;
  readonly replicaUrls: readonly string[];
  readonly poolSize: number;
  readonly redisUrl: string | undefined;
  readonly redisKeyPrefix: string;
  readonly natsUrl: string | undefined;
  readonly natsSubjectPrefix: string;
  readonly rateLimits: boolean;
  readonly eventMaxAttempts: number;
  readonly shutdownTimeoutMs: number;
  /** Where notify sends email; unset: messages are kept in the database (`GET /admin/notifications`). */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
};

/** Settings that may carry a password, so they may also come from a file (`NAME_FILE`). */
const SECRET_SETTINGS = [
  'DATABASE_URL',
  'DATABASE_REPLICA_URLS',
  'REDIS_URL',
  'NATS_URL',
  'SMTP_URL',
] as const;

function withSecretFiles(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  const secrets = new EnvSecretStore(env);
  const out: Record<string, string | undefined> = { ...env };
  const problems: string[] = [];
  for (const name of SECRET_SETTINGS) {
    try {
      out[name] = secrets.get(name);
    } catch (err) {
      problems.push(...((err as ConfigError).problems ?? [String(err)]));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out;
}

/**
 * Reads the platform's settings once. Throws a ConfigError listing every bad variable; the CLI
 * prints it as one line and exits without a stack trace.
 */
export function loadPlatformConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): PlatformConfig {
  const r = readSettings(spec, withSecretFiles(env));
  if ('problems' in r) throw new ConfigError(r.problems);
  const c = r.config;
  const problems: string[] = [];
  if (c.DATABASE_REPLICA_URLS.length > 0 && !c.DATABASE_URL) {
    problems.push('DATABASE_REPLICA_URLS needs DATABASE_URL (replicas serve reads of a primary)');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port: c.PORT,
    host: c.HOST,
    dataDir: c.EMPORIUM_DATA_DIR,
    demo: c.EMPORIUM_DEMO,
    databaseUrl: c.DATABASE_URL,
    replicaUrls: Object.freeze([...c.DATABASE_REPLICA_URLS]),
    poolSize: c.DATABASE_POOL_SIZE,
    redisUrl: c.REDIS_URL,
    redisKeyPrefix: c.REDIS_KEY_PREFIX,
    natsUrl: c.NATS_URL,
    natsSubjectPrefix: c.NATS_SUBJECT_PREFIX,
    rateLimits: c.EMPORIUM_RATE_LIMITS,
    eventMaxAttempts: c.EMPORIUM_EVENT_MAX_ATTEMPTS,
    shutdownTimeoutMs: c.EMPORIUM_SHUTDOWN_TIMEOUT_MS,
    smtpUrl: c.SMTP_URL,
    mailFrom: c.EMPORIUM_MAIL_FROM,
    logLevel: c.LOG_LEVEL,
  });
}
