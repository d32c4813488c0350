import {
  type AnyTables,
  type Clock,
  type Database,
  type EventEnvelope,
  handleOnce,
  handleOnceInsert,
  handleOnceInsertMany,
  newId,
} from '@emporium/platform';
import type { Kysely, Transaction } from 'kysely';
import type { Transporter } from 'nodemailer';
import type { OutgoingMessage, SendResult } from '../contract/index.ts';

export interface MessagesTable {
  id: string;
  kind: string;
  to_address: string;
  subject: string;
  status: 'sent' | 'stored';
  text_body: string | null;
  html_body: string | null;
  source_event_id: string | null;
  created_at: Date;
}

export interface NotifyTables {
  'notify.messages': MessagesTable;
}

export interface NotifyContext {
  db: Database<NotifyTables>;
  clock: Clock;
  /** The SMTP transport when `SMTP_URL` is set, else null (database mode). */
  smtp: Transporter | null;
  from: string;
}

const EMAIL = /^[^\s@<>]+@[^\s@<>]+$/;
const ONE_LINE = /^[^\r\n]{1,200}$/;

/**
 * Sends (SMTP) or keeps (database) one message, recording it with `trx` (or a transaction of its
 * own). The SMTP send happens before the record commits: a failure throws and records nothing.
 */
export async function deliver(
  ctx: NotifyContext,
  message: OutgoingMessage,
  trx?: Transaction<AnyTables>,
  sourceEventId?: string,
): Promise<SendResult> {
  checkMessage(message);
  const id = newId('msg');
  if (ctx.smtp) {
    await ctx.smtp.sendMail({
      from: ctx.from,
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html ? { html: message.html } : {}),
      messageId: `<${id}@emporium>`,
    });
  }
  const status = ctx.smtp ? 'sent' : 'stored';
  const record = async (t: Kysely<NotifyTables>) => {
    await t
      .insertInto('notify.messages')
      .values(messageRow(ctx, message, id, status, sourceEventId))
      .execute();
  };
  if (trx) await record(trx as unknown as Transaction<NotifyTables>);
  else await ctx.db.transaction(record);
  return { id, status };
}

/**
 * Delivers the message `event` calls for at most once per `consumer`, whatever the number of
 * deliveries. Kept (no SMTP): the consumer's mark and the message row in one statement. Sent: the
 * mark first, in a transaction that records the message after the send, so a redelivery never
 * sends again once the first committed.
 */
export async function deliverOnce(
  ctx: NotifyContext,
  db: Database,
  consumer: string,
  event: Pick<EventEnvelope, 'id'>,
  message: OutgoingMessage,
): Promise<void> {
  if (ctx.smtp) {
    await handleOnce(db, consumer, event, async (trx) => {
      await deliver(ctx, message, trx, event.id);
    });
    return;
  }
  checkMessage(message);
  await handleOnceInsert(
    db,
    consumer,
    event,
    'notify.messages',
    messageRow(ctx, message, newId('msg'), 'stored', event.id),
  );
}

/** notify.messages' columns and their SQL types, for rows written as JSON (handleOnceInsertMany). */
const MESSAGE_COLUMNS: Readonly<Record<keyof MessagesTable, string>> = {
  id: 'text',
  kind: 'text',
  to_address: 'text',
  subject: 'text',
  status: 'text',
  text_body: 'text',
  html_body: 'text',
  source_event_id: 'text',
  created_at: 'timestamptz',
};

/**
 * `deliverOnce` for several events of one consumer at once, when messages are kept in the database
 * (no SMTP): every new event's message in one statement with the consumer's marks. A message that
 * breaks the rules fails alone. One settled outcome per item, in order.
 */
export async function deliverOnceMany(
  ctx: NotifyContext,
  db: Database,
  consumer: string,
  items: readonly { event: Pick<EventEnvelope, 'id'>; message: OutgoingMessage }[],
): Promise<PromiseSettledResult<void>[]> {
  if (ctx.smtp) throw new Error('deliverOnceMany keeps messages in the database; with SMTP use deliverOnce');
  const problems = items.map(({ message }) => messageProblem(message));
  const good = items.filter((_, i) => problems[i] === undefined);
  if (good.length > 0) {
    await handleOnceInsertMany(
      db,
      consumer,
      'notify.messages',
      MESSAGE_COLUMNS,
      good.map(({ event, message }) => {
        const row = messageRow(ctx, message, newId('msg'), 'stored', event.id);
        return { event, row: { ...row, created_at: row.created_at.toISOString() } };
      }),
    );
  }
  return problems.map(
    (reason): PromiseSettledResult<void> =>
      reason === undefined ? { status: 'fulfilled', value: undefined } : { status: 'rejected', reason },
  );
}

/** What `checkMessage` refuses in `message`, or undefined. */
function messageProblem(message: OutgoingMessage): unknown {
  try {
    checkMessage(message);
    return undefined;
  } catch (err) {
    return err;
  }
}

function checkMessage(message: OutgoingMessage): void {
  if (!EMAIL.test(message.to)) throw new Error('notify: the recipient is not an email address');
  if (!ONE_LINE.test(message.subject))
    throw new Error('notify: the subject must be one line of at most 200 characters');
}

/** The notify.messages row of a message: its bodies are kept only when it is stored, not sent. */
function messageRow(
  ctx: NotifyContext,
  message: OutgoingMessage,
  id: string,
  status: MessagesTable['status'],
  sourceEventId: string | undefined,
): MessagesTable {
  return {
    id,
    kind: message.kind,
    to_address: message.to,
    subject: message.subject,
    status,
    text_body: status === 'stored' ? message.text : null,
    html_body: status === 'stored' ? (message.html ?? null) : null,
    source_event_id: sourceEventId ?? null,
    created_at: ctx.clock.now(),
  };
}
