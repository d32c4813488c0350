import { parseArgs } from 'node:util';
import { loadPlatformConfig } from '@emporium/platform';
import { runAdmin } from './admin-command.ts';
import { runApiKey } from './api-key-command.ts';
import { runAudit } from './audit-command.ts';
import { runEvents } from './events-command.ts';
import { runMigrate } from './migrate-command.ts';
import { EXIT, reportFatal, say, UsageError } from './output.ts';
import { runSeed } from './seed-command.ts';
import { RUNNING, runStart } from './start-command.ts';
import { runVault } from './vault-command.ts';

const HELP = `Usage: emporium <command> [options]

Commands:
  start                          run the whole platform in one process (what npm start runs)
  migrate [--status]             apply pending migrations (safe from several processes at once)
  events dead-letters [--json]   list events that exhausted their delivery attempts
  events replay ID               deliver a dead-lettered event again
  seed --products N              add a deterministic demo catalog of N products
  admin create --email E --role R [--json]
                                 create a staff user (password from standard input)
  api-key create --name N --role R [--json]
                                 create an integration credential (secret printed once)
  vault rotate-key [--batch N] [--json]
                                 re-wrap every card data key under the current key
  audit verify [--json]          check the audit log's hash chain (exit 1 if broken)
  serve --service NAME           run one module as its own service (distributed mode)

Settings come from the environment; see README.md. In embedded mode run commands other than
start while the server is stopped.`;

/** Commands whose module lands with a later issue: they answer plainly instead of pretending. */
const LATER: Record<string, string> = {
  serve: 'distributed mode (one module per process)',
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${HELP}\n`);
    return command === undefined ? EXIT.usage : EXIT.ok;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'start': {
      parseArgs({ args: rest, options: {}, strict: true });
      return runStart(loadPlatformConfig());
    }
    case 'migrate': {
      const { values } = parseArgs({ args: rest, options: { status: { type: 'boolean' } }, strict: true });
      return runMigrate(loadPlatformConfig(), { status: values.status ?? false });
    }
    case 'events':
      return runEvents(loadPlatformConfig(), rest);
    case 'seed':
      return runSeed(loadPlatformConfig(), rest);
    case 'vault':
      return runVault(loadPlatformConfig(), rest);
    case 'admin':
      return runAdmin(loadPlatformConfig(), rest);
    case 'api-key':
      return runApiKey(loadPlatformConfig(), rest);
    case 'audit':
      return runAudit(loadPlatformConfig(), rest);
    default: {
      const later = LATER[command];
      if (later) {
        say(`emporium: "${command}" is not available yet: it arrives with ${later}.`);
        return EXIT.usage;
      }
      throw new UsageError(`unknown command "${command}"`);
    }
  }
}

try {
  const code = await main(process.argv.slice(2));
  // `start` keeps running until a signal; every other command ends here.
  if (code !== RUNNING) process.exitCode = code;
} catch (err) {
  const message = (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ? new UsageError((err as Error).message)
    : err;
  process.exitCode = reportFatal(message);
}
