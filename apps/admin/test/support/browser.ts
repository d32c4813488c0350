import { join } from 'node:path';
import { saveScreenshot } from '@emporium/testkit/browser';
import type { Page } from 'playwright-core';

export { type AxeViolation, launchChromium, seriousViolations } from '@emporium/testkit/browser';

/** Where screenshots of failed steps go (ignored by git). */
export const ARTIFACTS = join(process.cwd(), '.tmp', 'admin-e2e');

/** Runs a step; on failure, saves a full-page screenshot named after it and rethrows. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const file = await saveScreenshot(page, ARTIFACTS, name);
    throw new Error(`${name} failed (screenshot: ${file}): ${(err as Error).message}`, { cause: err });
  }
}
