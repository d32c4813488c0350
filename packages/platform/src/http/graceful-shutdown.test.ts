import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logging/create-logger.ts';
import { createMetrics } from '../metrics/create-metrics.ts';
import { createHttpApp } from './create-http-app.ts';
import { closeGracefully, installSignalHandlers, isShuttingDown } from './graceful-shutdown.ts';
import type { HttpApp } from './http-app.ts';

// A real listener on 127.0.0.1 (port 0): draining is about sockets, which inject() does not have.

let app: HttpApp;
let events: string[];
let releaseSlow: () => void;
let slowStarted: Promise<void>;

async function start(): Promise<string> {
  events = [];
  let markStarted: () => void = () => {};
  slowStarted = new Promise((resolve) => {
    markStarted = resolve;
  });
  const released = new Promise<void>((resolve) => {
    releaseSlow = resolve;
  });
  app = await createHttpApp({
    logger: createLogger({ level: 'silent' }),
    metrics: createMetrics(),
    readiness: [],
    openapi: { title: 'test', version: '0' },
  });
  app.get('/slow', async () => {
    events.push('slow request started');
    markStarted();
    await released;
    events.push('slow request finished');
    return { done: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

afterEach(async () => {
  releaseSlow();
  await app.close();
});

describe('closeGracefully', () => {
  it('lets an in-flight request finish, then runs afterClose', async () => {
    const base = await start();
    const inFlight = fetch(`${base}/slow`);
    await slowStarted;

    const closed = closeGracefully(app, {
      timeoutMs: 5000,
      afterClose: async () => {
        events.push('afterClose');
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(isShuttingDown(app)).toBe(true);
    expect(events).toEqual(['slow request started']);
    await expect(fetch(`${base}/slow`)).rejects.toThrow();

    releaseSlow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ done: true });
    await expect(closed).resolves.toEqual({ forced: false });
    expect(events).toEqual(['slow request started', 'slow request finished', 'afterClose']);
  });

  it('runs beforeClose while still serving, and reports not ready from then on', async () => {
    const base = await start();
    const closed = closeGracefully(app, {
      timeoutMs: 5000,
      beforeClose: async () => {
        const ready = await fetch(`${base}/readyz`);
        events.push(`readyz ${ready.status}`);
        const health = await fetch(`${base}/healthz`);
        events.push(`healthz ${health.status}`);
      },
    });
    await closed;
    expect(events).toEqual(['readyz 503', 'healthz 200']);
  });

  it('cuts connections still busy at the deadline, then runs afterClose', async () => {
    const base = await start();
    const inFlight = fetch(`${base}/slow`).catch((error: unknown) => error);
    await slowStarted;

    const result = await closeGracefully(app, {
      timeoutMs: 100,
      afterClose: async () => {
        events.push('afterClose');
      },
    });
    expect(result).toEqual({ forced: true });
    expect(await inFlight).toBeInstanceOf(Error);
    expect(events).toEqual(['slow request started', 'afterClose']);
  });
});

describe('installSignalHandlers', () => {
  it('closes gracefully once on the first signal and exits 0; a second signal exits 1 at once', async () => {
    await start();
    const exits: number[] = [];
    let afterCloseCalls = 0;
    let exited: () => void = () => {};
    const exitedOnce = new Promise<void>((resolve) => {
      exited = resolve;
    });
    const uninstall = installSignalHandlers(app, {
      signals: ['SIGUSR2'],
      timeoutMs: 1000,
      afterClose: async () => {
        afterCloseCalls++;
      },
      exit: (code) => {
        exits.push(code);
        exited();
      },
    });
    try {
      process.emit('SIGUSR2', 'SIGUSR2');
      process.emit('SIGUSR2', 'SIGUSR2');
      await exitedOnce;
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exits).toEqual([1, 0]);
      expect(afterCloseCalls).toBe(1);
    } finally {
      uninstall();
    }
  });

  it('exits 1 when shutdown fails, or when it hangs past twice the timeout', async () => {
    await start();
    const failing = await runSignal({ afterClose: () => Promise.reject(new Error('db close failed')) });
    expect(failing).toEqual([1]);

    await start();
    const hanging = await runSignal({ afterClose: () => new Promise(() => {}) });
    expect(hanging).toEqual([1]);
  });
});

async function runSignal(options: { afterClose: () => Promise<void> }): Promise<number[]> {
  const exits: number[] = [];
  let exited: () => void = () => {};
  const exitedOnce = new Promise<void>((resolve) => {
    exited = resolve;
  });
  const uninstall = installSignalHandlers(app, {
    signals: ['SIGUSR2'],
    timeoutMs: 50,
    ...options,
    exit: (code) => {
      exits.push(code);
      exited();
    },
  });
  try {
    process.emit('SIGUSR2', 'SIGUSR2');
    await exitedOnce;
    return exits;
  } finally {
    uninstall();
  }
}
