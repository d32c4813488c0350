import type { AddressInfo } from 'node:net';
import {
  type AnyTables,
  type EventBatchHandler,
  type EventBus,
  type EventEnvelope,
  type EventHandler,
  migrate,
  type SubscribeOptions,
  writeEvents,
} from '@emporium/platform';
import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import type { Transaction } from 'kysely';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotifyModule, type NotifyModule, notifyMigrations } from '../src/index.ts';

const placed = (number: number, email = 'ada@example.com') => ({
  orderId: `order_test_${number}`,
  number,
  status: 'placed',
  paymentStatus: 'authorized',
  email,
  customerId: null,
  currencyCode: 'usd',
  lines: [
    { title: 'Linen shirt', variantTitle: 'M', sku: 'SH-M', quantity: 2, unitPrice: 2500, total: 5000 },
    { title: 'Hat <b>', variantTitle: null, sku: null, quantity: 1, unitPrice: 1000, total: 1000 },
  ],
  subtotal: 6000,
  shippingTotal: 500,
  taxTotal: 0,
  discountTotal: 0,
  total: 6500,
  shippingAddress: {
    firstName: 'Ada',
    lastName: 'Lovelace',
    line1: '1 Way',
    city: 'London',
    postalCode: 'N1',
    countryCode: 'gb',
  },
  shippingMethodName: 'Standard',
  placedAt: '2026-03-01T00:00:00.000Z',
});

async function publish(platform: TestPlatform, payload: object): Promise<void> {
  await platform.ports.db.transaction((trx) =>
    writeEvents(trx as Transaction<AnyTables>, [{ type: 'orders.order.placed.v1', key: 'order_x', payload }]),
  );
  platform.ports.bus.nudge();
}

interface Received {
  from: string;
  to: string[];
  raw: string;
}

// A real SMTP server in this process (smtp-server) receives what nodemailer sends; events travel
// through the real outbox and the database-backed bus; PGlite and PostgreSQL.
describe.each(databaseKinds())('notify with SMTP on %s', (kind) => {
  let platform: TestPlatform;
  let server: SMTPServer;
  const inbox: Received[] = [];
  const waiters: Array<() => void> = [];
  let refuseNext = 0;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          raw += chunk;
        });
        stream.on('end', () => {
          if (refuseNext > 0) {
            refuseNext--;
            callback(Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 }));
            return;
          }
          inbox.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
          });
          for (const w of waiters.splice(0)) w();
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    platform = await startTestPlatform({
      database: kind,
      env: { EMPORIUM_MAIL_FROM: 'Shop <orders@shop.test>' },
      modules: [
        (ports) => createNotifyModule(ports, { smtpUrl: `smtp://127.0.0.1:${port}`, shopName: 'Test Shop' }),
      ],
    });
    await migrate(platform.ports.db, [notifyMigrations]);
  });
  afterAll(async () => {
    await platform?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const nextMail = (count: number) =>
    new Promise<void>((resolve) => {
      const check = () => (inbox.length >= count ? resolve() : waiters.push(check));
      check();
    });

  it('emails the order confirmation with number, lines and totals, in text and HTML', async () => {
    await publish(platform, placed(1042));
    await nextMail(1);
    const mail = inbox[0];
    expect(mail?.to).toEqual(['ada@example.com']);
    expect(mail?.from).toBe('orders@shop.test');
    const raw = (mail?.raw ?? '').replace(/=\r?\n/g, '');
    expect(raw).toMatch(/Subject: Order #1042 confirmed/);
    expect(raw).toMatch(/text\/plain/);
    expect(raw).toMatch(/text\/html/);
    expect(raw).toContain('2 =C3=97 Linen shirt (M)');
    expect(raw).toContain('65.00 USD');
    expect(raw).toContain('Hat &lt;b&gt;');
    expect(raw).not.toMatch(/4242|tok_|cvc/i);
    // The record commits just after the mail server accepted the message.
    const rows = () => platform.ports.db.primary.selectFrom('notify.messages').selectAll().execute();
    await expect
      .poll(rows, { timeout: 15_000 })
      .toMatchObject([{ status: 'sent', kind: 'order.confirmation', text_body: null }]);
  });

  it('retries when the mail server refuses, and sends exactly one email once it accepts', async () => {
    const before = inbox.length;
    refuseNext = 1;
    await publish(platform, placed(1043, 'bob@example.com'));
    await nextMail(before + 1);
    expect(inbox.slice(before).map((m) => m.to)).toEqual([['bob@example.com']]);
    expect(refuseNext).toBe(0);
  });
});

describe.each(databaseKinds())('notify without SMTP on %s', (kind) => {
  let platform: TestPlatform;
  let auth: TestAuth;
  let notify: NotifyModule;

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      authenticator: auth.authenticator,
      modules: [
        (ports) => {
          notify = createNotifyModule(ports);
          return notify;
        },
      ],
    });
    await migrate(platform.ports.db, [notifyMigrations]);
  });
  afterAll(async () => {
    await platform?.close();
  });

  const list = async (query = '') =>
    platform.app.inject({
      method: 'GET',
      url: `/admin/notifications${query}`,
      headers: await auth.headers({ roles: ['support'] }),
    });

  it('keeps the confirmation in the database and lists it for staff with orders:read', async () => {
    await publish(platform, placed(2001));
    await expect.poll(async () => (await list()).json().data.length, { timeout: 15_000 }).toBe(1);
    const [message] = (await list()).json().data;
    expect(message).toMatchObject({
      kind: 'order.confirmation',
      to: 'ada@example.com',
      subject: 'Order #2001 confirmed',
      status: 'stored',
    });
    expect(message.text).toContain('Thank you for your order #2001.');
    expect(message.text).toContain('Total: 65.00 USD');
    expect(message.html).toContain('<h1');
    expect((await platform.app.inject({ method: 'GET', url: '/admin/notifications' })).statusCode).toBe(401);
    const catalog = await auth.headers({ roles: ['catalog_manager'] });
    expect(
      (await platform.app.inject({ method: 'GET', url: '/admin/notifications', headers: catalog }))
        .statusCode,
    ).toBe(403);
  });

  it('sends one confirmation per event however often the event is delivered', async () => {
    let handler: EventHandler | undefined;
    const capture = {
      subscribe: (_c: string, _t: readonly string[], h: EventHandler) => (handler = h),
    } as unknown as EventBus;
    notify.subscribe?.(capture);
    const event: EventEnvelope = {
      id: 'evt_01jd0000000000000000000099',
      type: 'orders.order.placed.v1',
      occurredAt: new Date().toISOString(),
      payload: placed(2002, 'twice@example.com'),
      headers: {},
    };
    await handler?.(event, { consumer: 'notify-order-confirmation', attempt: 1 });
    await handler?.(event, { consumer: 'notify-order-confirmation', attempt: 2 });
    expect((await list('?to=twice@example.com')).json().data).toHaveLength(1);
  });

  it("keeps a claim's confirmations in one go, each once, a bad one failing alone", async () => {
    let handleMany: EventBatchHandler | undefined;
    const capture = {
      subscribe: (_c: string, _t: readonly string[], _h: EventHandler, options?: SubscribeOptions) => {
        handleMany = options?.handleMany;
      },
    } as unknown as EventBus;
    notify.subscribe?.(capture);
    if (!handleMany) throw new Error('notify without SMTP should handle several events at once');
    const event = (n: number, email: string): EventEnvelope => ({
      id: `evt_01jd00000000000000000001${n}`,
      type: 'orders.order.placed.v1',
      occurredAt: new Date().toISOString(),
      payload: placed(3000 + n, email),
      headers: {},
    });
    const events = [event(1, 'many1@example.com'), event(2, 'not an address'), event(3, 'many3@example.com')];
    const context = { consumer: 'notify-order-confirmation' };
    const first = await handleMany(events, context);
    expect(first.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    // Delivered again (a lease that lapsed): nothing new is kept.
    expect((await handleMany(events, context)).map((o) => o.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    for (const [to, subject] of [
      ['many1@example.com', 'Order #3001 confirmed'],
      ['many3@example.com', 'Order #3003 confirmed'],
    ]) {
      const kept = (await list(`?to=${to}`)).json().data;
      expect(kept).toHaveLength(1);
      expect(kept[0]).toMatchObject({ kind: 'order.confirmation', to, subject, status: 'stored' });
    }
  });

  it('lists recent domain events for auditors, newest first, filtered by type', async () => {
    await publish(platform, placed(2003));
    const url = '/admin/events?type=orders.order.placed.v1&limit=1';
    const auditor = await auth.headers({ roles: ['owner'] });
    const r = await platform.app.inject({ method: 'GET', url, headers: auditor });
    expect(r.statusCode).toBe(200);
    expect(r.json().data[0]).toMatchObject({ type: 'orders.order.placed.v1', payload: { number: 2003 } });
    expect(r.json().next_cursor).toEqual(expect.any(String));
    const next = await platform.app.inject({
      method: 'GET',
      url: `${url}&cursor=${r.json().next_cursor}`,
      headers: auditor,
    });
    expect(next.json().data[0].payload.number).toBeLessThan(2003);
    const support = await auth.headers({ roles: ['support'] });
    expect((await platform.app.inject({ method: 'GET', url, headers: support })).statusCode).toBe(403);
  });

  it('sends a message for another module through the service, and pages the list', async () => {
    // Confirmations of earlier tests' orders may still be arriving from the bus: page one recipient's.
    const sent = await notify.service.send({
      to: 'new@example.com',
      subject: 'Verify your email',
      text: 'Open the link',
      kind: 'identity.verify_email',
    });
    expect(sent).toMatchObject({ status: 'stored', id: expect.stringMatching(/^msg_/) });
    await notify.service.send({
      to: 'new@example.com',
      subject: 'Reset',
      text: 'Open',
      kind: 'identity.password_reset',
    });
    const page = (await list('?limit=1&to=new@example.com')).json();
    expect(page.data).toMatchObject([{ kind: 'identity.password_reset', to: 'new@example.com' }]);
    const next = (await list(`?limit=1&to=new@example.com&cursor=${page.next_cursor}`)).json();
    expect(next.data).toMatchObject([{ kind: 'identity.verify_email', subject: 'Verify your email' }]);
    expect(next.data[0].id < page.data[0].id).toBe(true);
    expect((await list('?cursor=nope')).statusCode).toBe(400);
    await expect(
      notify.service.send({ to: 'not-an-email', subject: 'x', text: 'y', kind: 'k' }),
    ).rejects.toThrow(/recipient/);
  });
});
