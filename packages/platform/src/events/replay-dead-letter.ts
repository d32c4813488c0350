import { type Clock, systemClock } from '../clock/clock.ts';
import type { Database } from '../db/database.ts';
import { type DeadLetter, findDeadLetter, markReplayed } from './dead-letter-store.ts';
import type { EventTransport } from './event-transport.ts';

export type ReplayResult =
  | { status: 'replayed'; deadLetter: DeadLetter }
  | { status: 'already_replayed'; deadLetter: DeadLetter }
  | { status: 'not_found' };

/**
 * Hands a dead-lettered event back to the consumer that gave up on it (fix the handler first),
 * then marks the record replayed. With the Postgres transport the delivery is queued again for
 * that consumer alone; with NATS the event is republished under a fresh message id and tagged
 * for that consumer, so other consumers of the type skip it.
 */
export async function replayDeadLetter(
  db: Database,
  transport: EventTransport,
  id: string,
  clock: Clock = systemClock,
): Promise<ReplayResult> {
  const letter = await findDeadLetter(db, id);
  if (!letter) return { status: 'not_found' };
  if (letter.replayedAt !== null) return { status: 'already_replayed', deadLetter: letter };
  // Requeue first: a crash in between leaves the record open (replay again), never an event lost.
  await transport.requeue(letter);
  return { status: 'replayed', deadLetter: await markReplayed(db, letter, clock.now()) };
}
