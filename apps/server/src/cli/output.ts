import { ConfigError, DataDirInUseError, MigrationError } from '@emporium/platform';

/** Exit codes of the CLI (sysexits-style where one fits). */
export const EXIT = { ok: 0, failure: 1, usage: 2, config: 78 } as const;

export class UsageError extends Error {}

/** Lines for people go to stderr so that stdout stays parseable (--json). */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

/**
 * Prints an error the way a person can act on it: one line, no stack, for the errors we expect
 * (bad settings, a data directory in use, a migration problem, bad usage). Anything else is a bug
 * and keeps its stack.
 */
export function reportFatal(err: unknown): number {
  if (err instanceof ConfigError) {
    say(`emporium: ${err.message}`);
    return EXIT.config;
  }
  if (err instanceof UsageError) {
    say(`emporium: ${err.message} (see emporium --help)`);
    return EXIT.usage;
  }
  if (err instanceof DataDirInUseError || err instanceof MigrationError) {
    say(`emporium: ${err.message}`);
    return EXIT.failure;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    say(`emporium: cannot reach a configured service (${String(code)}): ${(err as Error).message}`);
    return EXIT.failure;
  }
  say(`emporium: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return EXIT.failure;
}
