import { inject } from 'vitest';
import { type ServiceName, serviceUrls } from './services.ts';

/**
 * True when the run may use `name`. A missing service is a failure with CI=true (never a skip);
 * elsewhere the test is skipped by the caller (`describe.skipIf(!hasService('redis'))`).
 */
export function hasService(name: ServiceName): boolean {
  if (inject('emporiumServices')[name]) return true;
  if (process.env.CI === 'true') return true; // the test runs and fails with requireService's message
  return false;
}

export function requireService(name: ServiceName): string {
  if (!inject('emporiumServices')[name]) {
    throw new Error(
      `${name} is not reachable at ${serviceUrls[name]}; start it as SERVICES.md says (tests never skip it in CI).`,
    );
  }
  return serviceUrls[name];
}

/** A prefix unique to this test run and call, for Redis keys and NATS subjects and streams. */
export function uniquePrefix(label: string): string {
  return `emptest_${inject('emporiumRunId')}_${label}_${Math.random().toString(36).slice(2, 8)}`;
}
