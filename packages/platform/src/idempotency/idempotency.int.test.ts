import {
  createTestAuth,
  databaseKinds,
  startTestPlatform,
  type TestAuth,
  type TestPlatform,
} from '@emporium/testkit';
import { Type } from 'typebox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { authenticate } from '../auth/require-permission.ts';
import { ManualClock } from '../clock/clock.ts';
import { AppError } from '../errors/app-error.ts';
import { createIdempotencyStore, type IdempotencyStore } from './idempotency-store.ts';
import { idempotent } from './idempotent-route.ts';

// A real platform (HTTP app, PGlite and PostgreSQL) with a test route made idempotent; a manual
// clock moves time past the lease and the 24-hour expiry.
describe.each(databaseKinds())('Idempotency-Key on %s', (kind) => {
  let platform: TestPlatform;
  let auth: TestAuth;
  let store: IdempotencyStore;
  const clock = new ManualClock();
  let runs = 0;
  let failNext = false;
  let gate: Promise<void> | null = null;

  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      database: kind,
      clock,
      authenticator: auth.authenticator,
      modules: [
        (ports) => {
          store = createIdempotencyStore({ db: ports.db, clock: ports.clock, leaseMs: 60_000 });
          return {
            name: 'idem_test',
            async registerRoutes(app) {
              app.post(
                '/test/things',
                {
                  ...idempotent(store, { headers: ['x-thing'] }),
                  schema: { body: Type.Object({ name: Type.String() }, { additionalProperties: false }) },
                },
                async (request, reply) => {
                  runs++;
                  if (gate) await gate;
                  if (failNext) {
                    failNext = false;
                    throw new Error('database on fire');
                  }
                  if (request.body.name === 'bad')
                    throw new AppError('thing_rejected', 422, 'No bad things.');
                  reply.header('location', `/test/things/${runs}`).header('x-thing', String(runs));
                  return reply.code(201).send({ run: runs, name: request.body.name });
                },
              );
              app.post(
                '/test/mine',
                {
                  onRequest: async (request) => {
                    await authenticate(request);
                  },
                  ...idempotent(store),
                },
                async (request) => ({ run: ++runs, owner: request.principal?.subject }),
              );
              app.post('/test/required', { ...idempotent(store, { required: true }) }, async () => ({
                run: ++runs,
              }));
            },
          };
        },
      ],
    });
  });
  afterAll(async () => {
    await platform?.close();
  });
  beforeEach(() => {
    runs = 0;
    failNext = false;
    gate = null;
  });

  const post = (
    key: string | undefined,
    body: object,
    url = '/test/things',
    headers: Record<string, string> = {},
  ) =>
    platform.app.inject({
      method: 'POST',
      url,
      headers: { ...headers, ...(key === undefined ? {} : { 'idempotency-key': key }) },
      payload: body,
    });

  it('runs the handler once and replays the stored status, body and headers to a retry', async () => {
    const first = await post('k-replay', { name: 'a' });
    expect(first.statusCode).toBe(201);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await post('k-replay', { name: 'a' });
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['x-thing']).toBe('1');
    expect(runs).toBe(1);
  });

  it('treats the same body with fields in another order as the same request', async () => {
    await post('k-order', { name: 'a' });
    const r = await platform.app.inject({
      method: 'POST',
      url: '/test/things',
      headers: { 'idempotency-key': 'k-order', 'content-type': 'application/json' },
      payload: '{ "name" : "a" }',
    });
    expect(r.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });

  it('answers 409 idempotency_conflict for the same key with a different body, and runs nothing', async () => {
    await post('k-conflict', { name: 'a' });
    const r = await post('k-conflict', { name: 'b' });
    expect(r.statusCode).toBe(409);
    expect(r.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(r.json()).toMatchObject({ code: 'idempotency_conflict' });
    expect(runs).toBe(1);
  });

  it('runs without a key unless the route requires one, then answers 400 idempotency_key_required', async () => {
    expect((await post(undefined, { name: 'a' })).statusCode).toBe(201);
    expect((await post(undefined, { name: 'a' })).statusCode).toBe(201);
    expect(runs).toBe(2);
    const r = await post(undefined, {}, '/test/required');
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'idempotency_key_required' });
    expect(runs).toBe(2);
    const bad = await post('has space', { name: 'a' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'validation_failed' });
  });

  it('does not store a 5xx: the key is released and a retry runs again', async () => {
    failNext = true;
    const failed = await post('k-5xx', { name: 'a' });
    expect(failed.statusCode).toBe(500);
    const retry = await post('k-5xx', { name: 'a' });
    expect(retry.statusCode).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
  });

  it('stores and replays a 4xx business answer', async () => {
    const first = await post('k-4xx', { name: 'bad' });
    expect(first.statusCode).toBe(422);
    const again = await post('k-4xx', { name: 'bad' });
    expect(again.statusCode).toBe(422);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toMatchObject({ code: 'thing_rejected' });
    expect(runs).toBe(1);
  });

  it('keeps keys apart per principal: the same key from two customers runs for each', async () => {
    const ada = await auth.headers({ kind: 'customer', subject: 'cus_ada' });
    const bob = await auth.headers({ kind: 'customer', subject: 'cus_bob' });
    const a = await post('shared', { name: 'a' }, '/test/mine', ada);
    const b = await post('shared', { name: 'b' }, '/test/mine', bob);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
    expect((await post('shared', { name: 'a' }, '/test/mine', ada)).json()).toEqual(a.json());
  });

  it('runs the handler once for many parallel identical requests; the others are told to retry, then get the replay', async () => {
    const n = 8;
    let open!: () => void;
    gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let answered = 0;
    const requests = Array.from({ length: n }, () =>
      post('k-parallel', { name: 'p' }).then((r) => {
        answered++;
        if (answered === n - 1) open();
        return r;
      }),
    );
    const responses = await Promise.all(requests);
    const codes = responses.map((r) => r.statusCode).sort();
    expect(runs).toBe(1);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    const waiting = responses.filter((r) => r.statusCode === 409);
    expect(waiting).toHaveLength(n - 1);
    for (const r of waiting) {
      expect(r.json()).toMatchObject({ code: 'idempotency_in_progress' });
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    const retry = await post('k-parallel', { name: 'p' });
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(runs).toBe(1);
  });

  it('lets a retry take over a claim whose holder never finished once its lease lapses; the stale holder cannot overwrite', async () => {
    const request = { scope: 'lease', owner: 'o', key: 'k', fingerprint: 'f' };
    const first = await store.claim(request);
    expect(first.outcome).toBe('claimed');
    expect((await store.claim(request)).outcome).toBe('in_progress');
    expect((await store.claim({ ...request, fingerprint: 'other' })).outcome).toBe('conflict');
    clock.advance(60_001);
    const second = await store.claim(request);
    expect(second.outcome).toBe('claimed');
    if (first.outcome !== 'claimed' || second.outcome !== 'claimed') throw new Error('unreachable');
    await store.complete(first.claim, { status: 200, headers: {}, body: '"stale"' });
    await store.complete(second.claim, { status: 200, headers: {}, body: '"fresh"' });
    const replay = await store.claim(request);
    expect(replay).toEqual({ outcome: 'replay', response: { status: 200, headers: {}, body: '"fresh"' } });
  });

  it('forgets keys after 24 hours: the same key runs again, and the sweep deletes expired keys', async () => {
    await post('k-expiry', { name: 'a' });
    clock.advance(24 * 60 * 60_000 - 1);
    expect((await post('k-expiry', { name: 'a' })).headers['idempotent-replayed']).toBe('true');
    clock.advance(1);
    const after = await post('k-expiry', { name: 'b' });
    expect(after.statusCode).toBe(201);
    expect(after.headers['idempotent-replayed']).toBeUndefined();
    expect(runs).toBe(2);
    clock.advance(24 * 60 * 60_000);
    expect(await store.sweep()).toBeGreaterThanOrEqual(1);
    const left = await platform.ports.db.primary
      .selectFrom('platform.idempotency_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('expires_at', '<=', clock.now())
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(0);
  });
});
