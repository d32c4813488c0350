import { type Clock, systemClock } from '../clock/clock.ts';
import { type BackoffPolicy, backoffDelay } from './backoff.ts';

/** The subset of a pino logger the bus writes to (structured object first, then the message). */
export interface EventLogger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Counters of delivery outcomes, labelled by consumer and event type (bound to prom-client by the app). */
export interface EventMetrics {
  /** A handler resolved. */
  delivered(consumer: string, type: string): void;
  /** A handler threw (every failed attempt, including the last). */
  failed(consumer: string, type: string): void;
  /** The last attempt failed and the event went to the dead letters. */
  deadLettered(consumer: string, type: string): void;
}

/** How deliveries are retried and reported; shared by both transports. */
export interface DeliveryOptions {
  /** Attempts per consumer and event before it is dead-lettered. Default 10. */
  maxAttempts?: number;
  /** Waits between attempts. Default base 1 s, cap 5 min. */
  backoff?: Partial<BackoffPolicy>;
  /** Source of jitter in [0, 1); tests fix it to make waits predictable. Default Math.random. */
  random?: () => number;
  /** Times retries and leases (compared with times stored by other processes: keep it the system clock outside tests). */
  clock?: Clock;
  /** Default: silent. Pass the app's pino logger. */
  logger?: EventLogger;
  metrics?: EventMetrics;
}

export interface DeliveryPolicy {
  maxAttempts: number;
  backoff: BackoffPolicy;
  random: () => number;
  clock: Clock;
  logger: EventLogger;
  metrics: EventMetrics;
}

const ignore = (): void => {};
export const silentLogger: EventLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };
const noMetrics: EventMetrics = { delivered: ignore, failed: ignore, deadLettered: ignore };

export function resolveDeliveryPolicy(options: DeliveryOptions): DeliveryPolicy {
  const maxAttempts = options.maxAttempts ?? 10;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1)
    throw new Error('maxAttempts must be an integer ≥ 1');
  const backoff = { baseMs: options.backoff?.baseMs ?? 1000, capMs: options.backoff?.capMs ?? 300_000 };
  if (!(backoff.baseMs > 0 && backoff.capMs >= backoff.baseMs)) {
    throw new Error('backoff needs baseMs > 0 and capMs ≥ baseMs');
  }
  return {
    maxAttempts,
    backoff,
    random: options.random ?? Math.random,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    metrics: options.metrics ?? noMetrics,
  };
}

/** The wait after failed attempt number `attempt` (1-based) before the next one. */
export function retryDelayMs(policy: DeliveryPolicy, attempt: number): number {
  return backoffDelay(attempt - 1, policy.backoff, policy.random);
}

/** A handler's error as one line for logs and the dead-letter record (never the event payload). */
export function errorMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}
