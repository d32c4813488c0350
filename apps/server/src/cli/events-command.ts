import { parseArgs } from 'node:util';
import { listDeadLetters, type PlatformConfig, replayDeadLetter } from '@emporium/platform';
import { eventTransportFor } from '../runtime/event-transport-for.ts';
import { openMigratedDatabase } from '../runtime/open-database-for.ts';
import { EXIT, say, UsageError } from './output.ts';

/** `emporium events dead-letters [--json] [--all]` and `emporium events replay ID`. */
export async function runEvents(config: PlatformConfig, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'dead-letters') {
    const { values } = parseArgs({
      args: rest,
      options: { json: { type: 'boolean' }, all: { type: 'boolean' }, limit: { type: 'string' } },
      strict: true,
    });
    const limit = Number(values.limit ?? 100);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      throw new UsageError('--limit must be 1 to 1000');
    const db = await openMigratedDatabase(config, say);
    try {
      const letters = await listDeadLetters(db, { limit, includeReplayed: values.all ?? false });
      if (values.json) {
        // Without payloads: they may hold personal data; replay works from the stored record.
        const rows = letters.map(({ envelope: _envelope, ...rest }) => rest);
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      } else if (letters.length === 0) {
        say('no dead-lettered events');
      } else {
        for (const l of letters) {
          process.stdout.write(
            `${l.id}  ${l.deadAt}  ${l.consumer}  ${l.type}  ${l.eventId}  attempts=${l.attempts}${l.replayedAt ? `  replayed=${l.replayedAt}` : ''}  ${l.lastError}\n`,
          );
        }
      }
      return EXIT.ok;
    } finally {
      await db.close();
    }
  }
  if (sub === 'replay') {
    const { positionals } = parseArgs({ args: rest, options: {}, allowPositionals: true, strict: true });
    const id = positionals[0];
    if (!id || positionals.length > 1) throw new UsageError('events replay takes one dead letter id (dlq_…)');
    const db = await openMigratedDatabase(config, say);
    const transport = eventTransportFor(config, db, {});
    try {
      const result = await replayDeadLetter(db, transport, id);
      switch (result.status) {
        case 'replayed':
          say(
            `replayed ${result.deadLetter.type} ${result.deadLetter.eventId} to ${result.deadLetter.consumer}`,
          );
          return EXIT.ok;
        case 'already_replayed':
          say(`${id} was already replayed at ${result.deadLetter.replayedAt}; nothing done`);
          return EXIT.ok;
        case 'not_found':
          say(`emporium: no dead letter ${id} (list them with: emporium events dead-letters)`);
          return EXIT.failure;
      }
    } finally {
      await transport.stop();
      await db.close();
    }
  }
  throw new UsageError('events takes "dead-letters" or "replay ID"');
}
