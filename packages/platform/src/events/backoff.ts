/** Exponential backoff between delivery attempts. */
export interface BackoffPolicy {
  /** The longest first wait, in milliseconds. */
  baseMs: number;
  /** No wait is ever longer than this, in milliseconds. */
  capMs: number;
}

/** The longest wait before retry number `retry` (0 for the first retry): min(cap, base · 2^retry). */
export function backoffCeiling(retry: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, retry));
}

/**
 * The wait before retry number `retry`, with full jitter: uniform in [0, ceiling). Jitter spreads
 * the retries of many consumers that failed together (a database restart) instead of letting them
 * hit the recovering service in lockstep.
 */
export function backoffDelay(
  retry: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * backoffCeiling(retry, policy));
}
