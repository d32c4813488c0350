import { sql } from 'kysely';
import type { Clock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';

export interface QueueUpkeepOptions {
  /** Events relayed since the last upkeep that call for the next. Default 2 000. */
  everyEvents?: number;
  /** The least time between two upkeeps, in ms. Default 2 s. */
  minIntervalMs?: number;
}

/** Vacuums the event tables once enough events went through them (see createQueueUpkeep). */
export interface QueueUpkeep {
  /** Counts events the relay moved; starts an upkeep in the background when one is due. */
  relayed(count: number): void;
  /** Resolves once the upkeep in progress, if any, has finished. */
  stop(): Promise<void>;
}

/**
 * Every relayed event leaves a dead row version behind in the tables that queue it: the outbox row
 * its publishing updated (still listed in the index of unpublished rows) and, on the Postgres
 * transport, the delivery rows its consumers deleted. The relay and the consumers look for work by
 * those indexes, so each look walks every dead entry until a vacuum clears them: under a sale,
 * 35 000 of them made the relay's look read 1 460 pages for 40 events and a consumer's 475. PGlite
 * has no autovacuum at all, and PostgreSQL's waits for a fifth of the outbox (which keeps every
 * event, for the event log) to be dead, so the bus vacuums these two tables itself, by volume:
 * after `everyEvents` relayed events, at most every `minIntervalMs`. `index_cleanup on`, since
 * PostgreSQL would otherwise skip the indexes when few of the outbox's pages hold dead rows (the
 * index of unpublished rows is the one that matters); `skip_locked`, so that the buses of several
 * processes never queue behind one another.
 */
export function createQueueUpkeep(
  db: Database,
  clock: Clock,
  onError: (err: unknown) => void,
  options: QueueUpkeepOptions = {},
): QueueUpkeep {
  const everyEvents = options.everyEvents ?? 2_000;
  const minIntervalMs = options.minIntervalMs ?? 2_000;
  let pending = 0;
  let lastAt = Number.NEGATIVE_INFINITY;
  let running: Promise<void> | undefined;
  let stopped = false;

  const vacuum = async (): Promise<void> => {
    try {
      await sql`vacuum (skip_locked, index_cleanup on) platform.outbox, platform.event_deliveries`.execute(
        db.primary,
      );
    } catch (err) {
      onError(err);
    } finally {
      running = undefined;
    }
  };

  return {
    relayed(count) {
      pending += count;
      const now = clock.now().getTime();
      if (stopped || running || pending < everyEvents || now - lastAt < minIntervalMs) return;
      pending = 0;
      lastAt = now;
      running = vacuum();
    },
    async stop() {
      stopped = true;
      await running;
    },
  };
}
