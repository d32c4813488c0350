import type { FastifyInstance } from 'fastify';
import { problemContext } from './error-handling.ts';
import type { HttpApp } from './http-app.ts';
import { createProblem, sendProblem } from './problem.ts';

interface ShutdownState {
  /** Shutdown has begun: `/readyz` answers 503 so load balancers stop sending traffic. */
  shuttingDown: boolean;
  /** Fastify is closing: new requests are refused, in-flight ones finish. */
  closing: boolean;
}

const states = new WeakMap<object, ShutdownState>();

function stateOf(app: object): ShutdownState {
  let state = states.get(app);
  if (!state) {
    state = { shuttingDown: false, closing: false };
    states.set(app, state);
  }
  return state;
}

/** True once {@link closeGracefully} (or `app.close()`) has started on `app`. */
export function isShuttingDown(app: object): boolean {
  const state = stateOf(app);
  return state.shuttingDown || state.closing;
}

/**
 * Hooks that make closing graceful: once `app.close()` starts, requests that still arrive (on kept-alive
 * connections) get a 503 problem, and responses to in-flight requests close their connection so the
 * server can finish. Fastify's own `return503OnClosing` is off because its body is not a problem.
 */
export function installDrainHooks(app: HttpApp): void {
  const state = stateOf(app);
  app.addHook('preClose', (done) => {
    state.closing = true;
    done();
  });
  app.addHook('onRequest', (request, reply, done) => {
    if (!state.closing) {
      done();
      return;
    }
    reply.header('connection', 'close').header('retry-after', '1');
    sendProblem(
      reply,
      createProblem({
        ...problemContext(request),
        status: 503,
        code: 'service_unavailable',
        detail: 'The server is restarting; retry the request in a moment.',
      }),
    );
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (state.closing) reply.header('connection', 'close');
    done(null, payload);
  });
}

export interface CloseOptions {
  /** How long in-flight requests may take to finish (after `beforeClose`) before their connections are cut. */
  timeoutMs: number;
  /** Runs first, while requests are still served: e.g. wait for load balancers to see `/readyz` fail. */
  beforeClose?: () => Promise<void>;
  /** Runs once no request is in flight: stop the event dispatcher, then close database, Redis, NATS. */
  afterClose?: () => Promise<void>;
}

export interface CloseResult {
  /** True when requests were still running at the deadline and their connections were cut. */
  forced: boolean;
}

/**
 * Shuts the HTTP side down in order: mark not ready, `beforeClose`, stop accepting connections and
 * let in-flight requests finish (Fastify `close`, which also runs `onClose` hooks), then `afterClose`.
 * Connections still busy `timeoutMs` after closing began are cut, so a slow client cannot hang shutdown.
 */
export async function closeGracefully(
  app: FastifyInstance | HttpApp,
  options: CloseOptions,
): Promise<CloseResult> {
  stateOf(app).shuttingDown = true;
  await options.beforeClose?.();
  let forced = false;
  const deadline = setTimeout(() => {
    forced = true;
    app.log.warn(
      { timeout_ms: options.timeoutMs },
      'requests still running at the shutdown deadline; closing their connections',
    );
    app.server.closeAllConnections();
  }, options.timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(deadline);
  }
  await options.afterClose?.();
  return { forced };
}

export interface SignalHandlerOptions extends CloseOptions {
  /** Default: SIGTERM (orchestrators) and SIGINT (Ctrl-C). */
  signals?: readonly NodeJS.Signals[];
  /** Default: `process.exit`. */
  exit?: (code: number) => void;
}

/**
 * On the first SIGTERM or SIGINT, runs {@link closeGracefully} once and exits 0 (1 if shutdown
 * failed). A second signal exits 1 at once, and so does a shutdown still running twice `timeoutMs`
 * after `beforeClose`. Returns a function that removes the handlers.
 */
export function installSignalHandlers(
  app: FastifyInstance | HttpApp,
  options: SignalHandlerOptions,
): () => void {
  const {
    signals = ['SIGTERM', 'SIGINT'],
    exit = (code: number) => process.exit(code),
    ...closeOptions
  } = options;
  let started = false;
  let backstop: NodeJS.Timeout | undefined;
  const finish = (code: number) => {
    clearTimeout(backstop);
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (started) {
      app.log.warn({ signal }, 'second signal during shutdown; exiting now');
      finish(1);
      return;
    }
    started = true;
    app.log.info({ signal }, 'shutting down');
    const beforeClose = async () => {
      await closeOptions.beforeClose?.();
      // A hung afterClose (a database that never answers) must not keep the process alive forever.
      backstop = setTimeout(() => {
        app.log.error('shutdown did not finish in time; exiting');
        exit(1);
      }, 2 * options.timeoutMs);
      backstop.unref();
    };
    closeGracefully(app, { ...closeOptions, beforeClose }).then(
      () => {
        app.log.info('shutdown complete');
        finish(0);
      },
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        finish(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    for (const signal of signals) process.off(signal, onSignal);
  };
}
