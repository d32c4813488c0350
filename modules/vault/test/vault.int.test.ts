import { ConfigError } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVaultModule, fileKeyRing, memoryKeyRing } from '../src/index.ts';
import { dumpSchemas, SHOP, startVault, type VaultPlatform } from './support.ts';

const VISA = '4242424242424242';
const request = (reference: string, idempotencyKey = `${reference}:1`) => ({
  amount: 1999,
  currency: 'usd',
  reference,
  idempotencyKey,
});

// The vault on the real HTTP app and a real database (PGlite, and PostgreSQL when it answers);
// keys in memory instead of the secret store; the built-in test processor with no latency.
describe.each(databaseKinds())('vault on %s', (kind) => {
  let v: VaultPlatform;
  const cvcsSeen: Array<string | undefined> = [];
  beforeAll(async () => {
    v = await startVault(kind, { cvcsSeen });
  });
  afterAll(async () => {
    await v?.close();
  });

  it('tokenizes a card over HTTP and answers only the token, brand, last 4 and expiry', async () => {
    const r = await v.tokenize({ number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' });
    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      token: expect.stringMatching(/^tok_[0-9a-z]{26}$/),
      brand: 'visa',
      last4: '4242',
      exp_month: 12,
      exp_year: 2030,
    });
    expect(await v.vault.service.describe(r.body.token as string)).toMatchObject({
      brand: 'visa',
      last4: '4242',
    });
  });

  it('refuses to start, naming VAULT_KEK, with a key that cannot open the keys the database holds', async () => {
    await v.tokenize({ number: VISA, exp_month: 12, exp_year: 2030, cvc: '123' });
    const stranger = createVaultModule(v.platform.ports, { keyRing: memoryKeyRing() });
    const refused = await stranger.start?.().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toEqual([
      expect.stringMatching(/^VAULT_KEK does not open the card keys/),
    ]);
    const same = createVaultModule(v.platform.ports, { keyRing: v.keys });
    await expect(same.start?.()).resolves.toBeUndefined();
    await same.stop?.();
  });

  it('answers 422 with a clear message for a bad number, an expired card and a bad CVC, never echoing the number', async () => {
    const cases = [
      [
        { number: '4242 4242 4242 4241', exp_month: 12, exp_year: 2030, cvc: '123' },
        'invalid_card',
        '/number',
      ],
      [{ number: VISA, exp_month: 1, exp_year: 2026, cvc: '123' }, 'card_expired', '/exp_year'],
      [{ number: VISA, exp_month: 12, exp_year: 2030, cvc: '12' }, 'invalid_cvc', '/cvc'],
      [{ number: VISA, exp_month: 13, exp_year: 2030, cvc: '123' }, 'invalid_expiry', '/exp_month'],
    ] as const;
    for (const [body, code, path] of cases) {
      const r = await v.tokenize(body);
      expect(r.status, code).toBe(422);
      expect(r.body).toMatchObject({ code, status: 422, errors: [{ path }] });
      expect(String(r.body.detail).length).toBeGreaterThan(10);
      expect(JSON.stringify(r.body)).not.toContain('424242424242424');
    }
    const unknown = await v.tokenize({
      number: VISA,
      exp_month: 12,
      exp_year: 2030,
      cvc: '123',
      pin: '0000',
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.code).toBe('validation_failed');
  });

  it('keeps the number only encrypted and the CVC nowhere in the database', async () => {
    const cvc = '7319';
    const amex = '378282246310005';
    const t = await v.tokenize({ number: amex, exp_month: 11, exp_year: 2031, cvc, name: 'Ada Lovelace' });
    expect(t.status).toBe(201);
    const token = t.body.token as string;
    const auth = await v.vault.service.forwardAuthorization(token, request('pay_dump'));
    expect(auth.ok).toBe(true);
    const rows = await dumpSchemas(v.platform, ['vault', 'platform']);
    expect(rows.some((r) => r.value.includes(token))).toBe(true); // the dump does see the vault's rows
    // A stored CVC would stand on its own (a column's value, a JSON string); four digits inside a
    // random id, key id or hash (`kek_…e173191c…`) are chance, not a leak.
    const cvcOnItsOwn = new RegExp(`(^|[^0-9A-Za-z])${cvc}([^0-9A-Za-z]|$)`);
    for (const r of rows) {
      expect(r.value, `${r.table}.${r.column}`).not.toContain(amex);
      expect(r.value, `${r.table}.${r.column}`).not.toContain('Ada Lovelace');
      // Ciphertexts are random bytes: a CVC-like run of digits in base64 is chance, not a leak.
      if (!['pan_ciphertext', 'wrapped_key', 'wrapped'].includes(r.column)) {
        expect(r.value, `${r.table}.${r.column}`).not.toMatch(cvcOnItsOwn);
      }
    }
    // The check does catch a CVC stored on its own or in JSON.
    expect('7319').toMatch(cvcOnItsOwn);
    expect('{"cvc":"7319"}').toMatch(cvcOnItsOwn);
    expect('kek_811cb3a36e173191cf23').not.toMatch(cvcOnItsOwn);
  });

  it('hands the CVC to the processor with the first authorization only, and drops it after 10 minutes', async () => {
    cvcsSeen.length = 0;
    const t = await v.vault.service.tokenize({ number: VISA, expMonth: 12, expYear: 2030, cvc: '321' });
    if (!t.ok) throw new Error('tokenize failed');
    expect(await v.vault.service.saveToCustomer(t.card.token, 'cus_1')).toEqual({ ok: true });
    expect((await v.vault.service.forwardAuthorization(t.card.token, request('pay_cvc_1'))).ok).toBe(true);
    expect((await v.vault.service.forwardAuthorization(t.card.token, request('pay_cvc_2'))).ok).toBe(true);
    expect(cvcsSeen).toEqual(['321', undefined]);

    const late = await v.vault.service.tokenize({ number: VISA, expMonth: 12, expYear: 2030, cvc: '654' });
    if (!late.ok) throw new Error('tokenize failed');
    v.clock.advance(10 * 60_000 + 1);
    expect((await v.vault.service.forwardAuthorization(late.card.token, request('pay_cvc_3'))).ok).toBe(true);
    expect(cvcsSeen).toEqual(['321', undefined, undefined]);
  });

  it('spends an unsaved token on its first approved authorization; a replay of that key answers the same', async () => {
    const t = await v.tokenize({ number: VISA, exp_month: 12, exp_year: 2030, cvc: '123' });
    const token = t.body.token as string;
    const first = await v.vault.service.forwardAuthorization(token, request('pay_single', 'k1'));
    expect(first.ok).toBe(true);
    const replay = await v.vault.service.forwardAuthorization(token, request('pay_single', 'k1'));
    expect(replay).toEqual(first);
    const again = await v.vault.service.forwardAuthorization(token, request('pay_other', 'k2'));
    expect(again).toMatchObject({ ok: false, code: 'token_used', retryable: false });
    const missing = await v.vault.service.forwardAuthorization(
      'tok_01kaaaaaaaaaaaaaaaaaaaaaaa',
      request('pay_x'),
    );
    expect(missing).toMatchObject({ ok: false, code: 'token_not_found' });
  });

  it("claims tokens in a caller's transaction and spends them there once approved, a saved card staying usable", async () => {
    const service = v.vault.service;
    const db = v.platform.ports.db;
    const tokenOf = async () => {
      const t = await service.tokenize({ number: VISA, expMonth: 12, expYear: 2030, cvc: '123' });
      if (!t.ok) throw new Error('tokenize failed');
      return t.card.token;
    };
    const [single, saved] = [await tokenOf(), await tokenOf()];
    expect(await service.saveToCustomer(saved, 'cus_claims')).toEqual({ ok: true });
    const status = async (token: string) =>
      (
        await db.primary
          .selectFrom('vault.cards')
          .select('status')
          .where('token', '=', token)
          .executeTakeFirstOrThrow()
      ).status;
    const claims = [
      { token: single, idempotencyKey: 'k-claim-1' },
      { token: saved, idempotencyKey: 'k-claim-2' },
    ];
    const handles = await db.transaction((trx) => service.claimMany(claims, trx));
    expect(handles.map((h) => h?.token)).toEqual([single, saved]);
    expect(await status(single)).toBe('authorizing');
    // Claimed: another key is told the card is being charged, and may try again later.
    expect(await service.forwardAuthorization(single, request('pay_claims_x', 'k-other'))).toMatchObject({
      ok: false,
      code: 'processor_error',
      retryable: true,
    });
    const answers = await Promise.all(
      claims.map((c, i) =>
        service.forwardAuthorization(c.token, request(`pay_claims_${i}`, c.idempotencyKey), {
          ...(handles[i] ? { claimed: handles[i] } : {}),
          settleApproval: 'caller',
        }),
      ),
    );
    expect(answers.map((a) => a.ok)).toEqual([true, true]);
    // Approved, left to the caller: still claimed until its transaction spends them.
    expect([await status(single), await status(saved)]).toEqual(['authorizing', 'authorizing']);
    await db.transaction((trx) => service.settleApprovedMany(claims, trx));
    expect([await status(single), await status(saved)]).toEqual(['used', 'active']);
    // Spent: a claim of the single-use token answers nothing; the saved card is claimed again.
    const again = await db.transaction((trx) =>
      service.claimMany(
        [
          { token: single, idempotencyKey: 'k-claim-3' },
          { token: saved, idempotencyKey: 'k-claim-4' },
        ],
        trx,
      ),
    );
    expect(again.map((h) => h?.token)).toEqual([undefined, saved]);
  });

  it('answers authorizations made at the same time each for its own card, charging a token once', async () => {
    const numbers = [VISA, VISA, '4000000000000002', VISA, VISA];
    const tokens = await Promise.all(
      numbers.map(async (number) => {
        const t = await v.vault.service.tokenize({ number, expMonth: 12, expYear: 2030, cvc: '123' });
        if (!t.ok) throw new Error('tokenize failed');
        return t.card.token;
      }),
    );
    const saved = tokens[4] as string;
    expect(await v.vault.service.saveToCustomer(saved, 'cus_batch')).toEqual({ ok: true });
    // Made at once: the calls after the first share the vault's and the processor's statements.
    const results = await Promise.all([
      ...tokens.map((token, i) => v.vault.service.forwardAuthorization(token, request(`pay_batch_${i}`))),
      v.vault.service.forwardAuthorization(tokens[0] as string, request('pay_batch_again')),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'ok',
      'card_declined',
      'ok',
      'ok',
      expect.stringMatching(/^(processor_error|token_used)$/),
    ]);
    const refs = results.flatMap((r) => (r.ok ? [r.authorizationRef] : []));
    expect(new Set(refs).size).toBe(4);
    const { rows: granted } = await sql<{ reference: string }>`
      select reference from vault.test_acquirer_authorizations where reference like 'pay_batch_%'
      order by reference`.execute(v.platform.ports.db.primary);
    expect(granted.map((g) => g.reference)).toEqual([
      'pay_batch_0',
      'pay_batch_1',
      'pay_batch_3',
      'pay_batch_4',
    ]);
    const { rows: cards } = await sql<{ token: string; status: string; claimed: boolean; used: boolean }>`
      select token, status, claimed_by is not null as claimed, used_at is not null as used
      from vault.cards where token = any(${tokens}::text[])`.execute(v.platform.ports.db.primary);
    const byToken = new Map(cards.map((c) => [c.token, c]));
    expect(tokens.map((t) => byToken.get(t))).toEqual([
      { token: tokens[0], status: 'used', claimed: true, used: true },
      { token: tokens[1], status: 'used', claimed: true, used: true },
      // A decline frees the token; a saved card stays usable.
      { token: tokens[2], status: 'active', claimed: false, used: false },
      { token: tokens[3], status: 'used', claimed: true, used: true },
      { token: saved, status: 'active', claimed: false, used: false },
    ]);
  });

  it('lets a saved token pay again and again', async () => {
    const t = await v.tokenize({ number: VISA, exp_month: 12, exp_year: 2030, cvc: '123' });
    const token = t.body.token as string;
    expect(await v.vault.service.saveToCustomer(token, 'cus_2')).toEqual({ ok: true });
    for (const ref of ['pay_s1', 'pay_s2', 'pay_s3']) {
      expect((await v.vault.service.forwardAuthorization(token, request(ref))).ok).toBe(true);
    }
  });

  it('rotate-key re-wraps every data key under a new KEK, and old tokens still pay', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 7; i++) {
      const t = await v.tokenize({ number: VISA, exp_month: 12, exp_year: 2030, cvc: '123' });
      tokens.push(t.body.token as string);
    }
    const before = v.keys.current.id;
    const report = await v.vault.rotateKey({ batchSize: 3 });
    expect(report.keyId).not.toBe(before);
    expect(report.rewrapped).toBeGreaterThanOrEqual(7);
    expect(report.secrets).toBe(1);
    expect(await v.vault.staleCards()).toBe(0);
    const keyIds = await sql<{ key_id: string }>`
      select distinct key_id from vault.cards union select distinct key_id from vault.wrapped_secrets
    `.execute(v.platform.ports.db.primary);
    expect(keyIds.rows).toEqual([{ key_id: report.keyId }]);
    for (const [i, token] of tokens.entries()) {
      expect((await v.vault.service.forwardAuthorization(token, request(`pay_rot_${i}`))).ok).toBe(true);
    }
    // A second run right after finds nothing left to do under the same key.
    const resumed = await v.vault.rotateKey({ newKey: false });
    expect(resumed).toMatchObject({ keyId: report.keyId, rewrapped: 0, secrets: 0 });
    // New cards fingerprint as before (the HMAC key survived the rotation).
    const fp = await sql<{ n: number }>`
      select count(distinct fingerprint)::int as n from vault.cards where last4 = '4242'
    `.execute(v.platform.ports.db.primary);
    await v.tokenize({ number: VISA, exp_month: 12, exp_year: 2030, cvc: '123' });
    const fp2 = await sql<{ n: number }>`
      select count(distinct fingerprint)::int as n from vault.cards where last4 = '4242'
    `.execute(v.platform.ports.db.primary);
    expect(fp.rows[0]?.n).toBe(1);
    expect(fp2.rows[0]?.n).toBe(1);
  });

  it('serves the card field with a nonce CSP, framed only by the shop, with the three labelled fields', async () => {
    const r = await v.platform.app.inject({
      method: 'GET',
      url: `/vault/card-field?origin=${encodeURIComponent(SHOP)}`,
    });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    const csp = String(r.headers['content-security-policy']);
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`frame-ancestors 'self' ${SHOP}`);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:\/\/(?!shop\.example\.test)/);
    expect(r.headers['x-frame-options']).toBeUndefined();
    const html = r.body;
    for (const label of ['Card number', 'Expiry', 'CVC']) {
      expect(html).toMatch(new RegExp(`<label[^>]*>${label}\\s*<input`));
    }
    expect(html).toContain('placeholder="MM/YY"');
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const attrs of scripts) {
      expect(attrs).toBe(` nonce="${nonce}"`); // inline, nonce'd, no src: nothing third-party
    }
    expect(html).toContain(`postMessage(message, target)`);
    expect(html).toContain(`data-origin="${SHOP}"`);
    const again = await v.platform.app.inject({ method: 'GET', url: '/vault/card-field' });
    expect(String(again.headers['content-security-policy'])).not.toContain(nonce as string);
    const evil = await v.platform.app.inject({
      method: 'GET',
      url: '/vault/card-field?origin=https://evil.example',
    });
    expect(evil.statusCode).toBe(400);
  });
});

describe('the embedded keyring file', () => {
  it('is made on first start with owner-only access and read back the same', async () => {
    const { mkdtempSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'vault-keys-'));
    const path = join(dir, 'vault', 'keyring.json');
    const first = fileKeyRing(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const second = fileKeyRing(path);
    expect(second.current.id).toBe(first.current.id);
    const added = first.addKey();
    const third = fileKeyRing(path);
    expect(third.current.id).toBe(added.id);
    expect(third.get(second.current.id)).toBeDefined();
  });
});
