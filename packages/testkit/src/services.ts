import { connect } from 'node:net';

/** The real services the suites talk to (SERVICES.md), overridable for other machines. */
export const serviceUrls = {
  postgres: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  nats: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
} as const;

export type ServiceName = keyof typeof serviceUrls;

/** True when something accepts TCP connections at the service's address (within 1 s). */
export function isReachable(name: ServiceName): Promise<boolean> {
  const u = new URL(serviceUrls[name]);
  const port = Number(u.port || { postgres: 5432, redis: 6379, nats: 4222 }[name]);
  return new Promise((resolve) => {
    const socket = connect({ host: u.hostname, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}

/** The URL of database `name` on the test PostgreSQL server. */
export function databaseUrl(name: string): string {
  const u = new URL(serviceUrls.postgres);
  u.pathname = `/${name}`;
  return u.toString();
}
