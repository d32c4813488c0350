import { parseArgs } from 'node:util';
import type { PlatformConfig } from '@emporium/platform';
import { withIdentity } from './identity-cli.ts';
import { EXIT, say, UsageError } from './output.ts';

/** `emporium audit verify [--json]`: walks the audit log's hash chain; exit 1 when it is broken. */
export async function runAudit(config: PlatformConfig, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify') throw new UsageError('audit needs a subcommand: audit verify');
  const { values } = parseArgs({ args: rest, options: { json: { type: 'boolean' } }, strict: true });
  return withIdentity(config, async (identity) => {
    const result = await identity.audit.verify();
    if (values.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.ok) {
      say(`audit log verified: ${result.rows} rows, hash chain intact`);
      return EXIT.ok;
    }
    say(
      `emporium: audit log hash chain is broken at row ${result.seq}: ${result.problem} (${result.rows} rows verified before it)`,
    );
    return EXIT.failure;
  });
}
