import { setTimeout as delay } from 'node:timers/promises';
import type { ProviderResult } from '../contract/index.ts';

export interface RetryPolicy {
  /** Tries in all (the first included). */
  maxTries: number;
  /** Delay before the second try; doubles each time, with full jitter. */
  baseDelayMs: number;
  /** Upper bound of one delay. */
  maxDelayMs: number;
}

/**
 * Calls the provider until it answers something other than a transient failure, at most
 * `maxTries` times, waiting a random delay in [0, min(max, base·2^n)) between tries (full
 * jitter, so colliding retries spread apart). Declines are final and return at once. A thrown
 * error counts as transient. Returns the last answer and how many tries it took.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  call: () => Promise<ProviderResult<T>>,
): Promise<{ result: ProviderResult<T>; tries: number }> {
  let result: ProviderResult<T> = {
    ok: false,
    code: 'payment_failed',
    retryable: true,
    message: 'not tried',
  };
  for (let tries = 1; ; tries++) {
    try {
      result = await call();
    } catch (err) {
      result = { ok: false, code: 'processor_error', retryable: true, message: (err as Error).message };
    }
    if (result.ok || !result.retryable || tries >= policy.maxTries) return { result, tries };
    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (tries - 1));
    await delay(Math.random() * ceiling);
  }
}
