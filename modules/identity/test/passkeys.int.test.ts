import { createHash } from 'node:crypto';
import { ManualClock } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { softAuthenticator } from './soft-authenticator.ts';
import { browser, follow, formOf, type IdentityPlatform, providerToken, startIdentity } from './support.ts';

const PASSWORD = 'staff password of some length';
const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

// Real: the identity module on PGlite and PostgreSQL, @simplewebauthn/server verifying answers made
// by a software authenticator with real P-256 keys (soft-authenticator.ts). The clock is manual.
describe.each(databaseKinds())('staff passkeys on %s', (kind) => {
  const clock = new ManualClock(new Date());
  let env: IdentityPlatform;
  let origin: string;
  let uid = 0;
  const newUser = async (roles = ['support']) =>
    (await env.identity.staff.create({ email: `p${++uid}@example.com`, password: PASSWORD, roles })).user;
  const enrol = async (userId: string) => {
    const auth = softAuthenticator();
    const options = await env.identity.passkeys.registrationOptions(userId);
    await env.identity.passkeys.register(userId, {
      name: 'Laptop',
      response: auth.register(options, origin),
    });
    return auth;
  };

  beforeAll(async () => {
    env = await startIdentity(kind, { clock });
    origin = new URL(env.identity.issuer).origin;
  });
  afterAll(() => env.close());

  describe('registration', () => {
    it('stores a verified credential under the issuer as relying party, and lists it', async () => {
      const user = await newUser();
      const auth = softAuthenticator();
      const options = await env.identity.passkeys.registrationOptions(user.id);
      expect(options.rp.id).toBe('127.0.0.1');
      expect(new TextDecoder().decode(Buffer.from(options.user.id, 'base64url'))).toBe(user.id);
      const passkey = await env.identity.passkeys.register(user.id, {
        name: ' Work laptop ',
        response: auth.register(options, origin),
      });
      expect(passkey).toMatchObject({ id: auth.id, name: 'Work laptop', transports: ['internal'] });
      expect(await env.identity.passkeys.list(user.id)).toMatchObject([{ id: auth.id, lastUsedAt: null }]);
      expect((await env.identity.staff.get(user.id))?.mfa.passkeys).toBe(1);
      // The next options exclude it, so the same authenticator is not registered twice.
      const again = await env.identity.passkeys.registrationOptions(user.id);
      expect(again.excludeCredentials?.map((c) => c.id)).toEqual([auth.id]);
    });

    it('refuses an answer signed for another origin, and the challenge is then spent', async () => {
      const user = await newUser();
      const auth = softAuthenticator();
      const options = await env.identity.passkeys.registrationOptions(user.id);
      await expect(
        env.identity.passkeys.register(user.id, {
          name: 'x',
          response: auth.register(options, 'https://evil.example'),
        }),
      ).rejects.toMatchObject({ code: 'passkey_rejected', status: 422 });
      await expect(
        env.identity.passkeys.register(user.id, { name: 'x', response: auth.register(options, origin) }),
      ).rejects.toMatchObject({ code: 'passkey_rejected', detail: expect.stringContaining('expired') });
      expect(await env.identity.passkeys.list(user.id)).toEqual([]);
    });

    it('refuses a challenge it never issued, another user’s challenge, a used one and an expired one', async () => {
      const user = await newUser();
      const other = await newUser();
      const auth = softAuthenticator();
      const made = await env.identity.passkeys.registrationOptions(user.id);
      const forged = { ...made, challenge: Buffer.alloc(32, 7).toString('base64url') };
      await expect(
        env.identity.passkeys.register(user.id, { name: 'x', response: auth.register(forged, origin) }),
      ).rejects.toMatchObject({ code: 'passkey_rejected' });
      const others = await env.identity.passkeys.registrationOptions(other.id);
      await expect(
        env.identity.passkeys.register(user.id, { name: 'x', response: auth.register(others, origin) }),
      ).rejects.toMatchObject({ code: 'passkey_rejected' });
      await env.identity.passkeys.register(user.id, { name: 'x', response: auth.register(made, origin) });
      await expect(
        env.identity.passkeys.register(user.id, {
          name: 'x',
          response: softAuthenticator().register(made, origin),
        }),
      ).rejects.toMatchObject({ code: 'passkey_rejected' });
      const late = await env.identity.passkeys.registrationOptions(user.id);
      clock.advance(5 * 60_000 + 1000);
      await expect(
        env.identity.passkeys.register(user.id, {
          name: 'x',
          response: softAuthenticator().register(late, origin),
        }),
      ).rejects.toMatchObject({ code: 'passkey_rejected' });
      expect(await env.identity.passkeys.list(user.id)).toHaveLength(1);
    });
  });

  describe('as the second factor', () => {
    it('accepts an assertion once, with an advancing counter; a replay, a cloned counter, another origin or RP ID fail', async () => {
      const user = await newUser();
      const auth = await enrol(user.id);
      const ok = await env.identity.passkeys.authenticationOptions(user.id, 'uid-1');
      expect(ok?.allowCredentials?.map((c) => c.id)).toEqual([auth.id]);
      const answer = auth.assert(ok ?? { challenge: '' }, origin);
      expect(await env.identity.passkeys.authenticate(user.id, 'uid-1', answer)).toMatchObject({
        outcome: 'ok',
        credentialId: auth.id,
        userVerified: true,
      });
      expect((await env.identity.passkeys.list(user.id))[0]?.lastUsedAt).toEqual(clock.now());
      // The very same answer again: its challenge is spent.
      expect(await env.identity.passkeys.authenticate(user.id, 'uid-1', answer)).toMatchObject({
        outcome: 'invalid',
        reason: 'unknown, used or expired challenge',
      });
      // A fresh challenge, but the counter does not advance: a cloned authenticator.
      const cloned = await env.identity.passkeys.authenticationOptions(user.id, 'uid-2');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'uid-2',
          auth.assert(cloned ?? { challenge: '' }, origin, { counter: 1 }),
        ),
      ).toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('counter') });
      const wrongOrigin = await env.identity.passkeys.authenticationOptions(user.id, 'uid-3');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'uid-3',
          auth.assert(wrongOrigin ?? { challenge: '' }, 'http://127.0.0.1:1'),
        ),
      ).toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('origin') });
      const wrongRp = await env.identity.passkeys.authenticationOptions(user.id, 'uid-4');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'uid-4',
          auth.assert(wrongRp ?? { challenge: '' }, origin, { rpId: 'evil.example' }),
        ),
      ).toMatchObject({ outcome: 'invalid', reason: expect.stringContaining('RP ID') });
      // A challenge made for another sign-in (interaction) does not count for this one.
      const elsewhere = await env.identity.passkeys.authenticationOptions(user.id, 'uid-5');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'uid-6',
          auth.assert(elsewhere ?? { challenge: '' }, origin),
        ),
      ).toMatchObject({ outcome: 'invalid' });
      // Right again, with a higher counter.
      const later = await env.identity.passkeys.authenticationOptions(user.id, 'uid-7');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'uid-7',
          auth.assert(later ?? { challenge: '' }, origin, { counter: 9 }),
        ),
      ).toMatchObject({ outcome: 'ok' });
    });

    it('refuses another user’s credential, even with a valid signature', async () => {
      const alice = await newUser();
      const mallory = await newUser();
      await enrol(alice.id);
      const mallorys = await enrol(mallory.id);
      const options = await env.identity.passkeys.authenticationOptions(alice.id, 'uid-a');
      expect(
        await env.identity.passkeys.authenticate(
          alice.id,
          'uid-a',
          mallorys.assert(options ?? { challenge: '' }, origin),
        ),
      ).toMatchObject({
        outcome: 'invalid',
        reason: 'not a credential of this user',
        credentialId: mallorys.id,
      });
    });

    it('offers no passkey to a user without one', async () => {
      const user = await newUser();
      expect(await env.identity.passkeys.authenticationOptions(user.id, 'uid-n')).toBeNull();
    });

    it('counts failures towards the lockout, and a locked account is refused even a right answer', async () => {
      const user = await newUser();
      const auth = await enrol(user.id);
      for (let i = 0; i < 10; i++) {
        const options = await env.identity.passkeys.authenticationOptions(user.id, `lock-${i}`);
        await env.identity.passkeys.authenticate(
          user.id,
          `lock-${i}`,
          auth.assert(options ?? { challenge: '' }, 'https://evil.example'),
        );
      }
      const options = await env.identity.passkeys.authenticationOptions(user.id, 'lock-x');
      expect(
        await env.identity.passkeys.authenticate(
          user.id,
          'lock-x',
          auth.assert(options ?? { challenge: '' }, origin),
        ),
      ).toMatchObject({ outcome: 'locked' });
    });
  });

  describe('/admin/me/passkeys', () => {
    const call = async (
      token: string | null,
      method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
      url: string,
      payload?: unknown,
    ) =>
      env.platform.app.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    it('adds, lists and removes one’s own passkeys after a recent sign-in; an older one must sign in again', async () => {
      const user = await newUser(['catalog_manager']);
      const fresh = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        roles: ['catalog_manager'],
        amr: ['pwd', 'otp', 'mfa'],
        auth_time: seconds(clock.now()) - 60,
      });
      const options = await call(fresh, 'POST', '/admin/me/passkeys/registration-options');
      expect(options.statusCode).toBe(200);
      const auth = softAuthenticator();
      const credential = auth.register(
        options.json<{ options: { challenge: string; rp: { id: string } } }>().options,
        origin,
      );
      const created = await call(fresh, 'POST', '/admin/me/passkeys', { name: 'Phone', credential });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ passkey: { id: auth.id, name: 'Phone', last_used_at: null } });

      const stale = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        roles: ['catalog_manager'],
        amr: ['pwd', 'hwk', 'mfa'],
        auth_time: seconds(clock.now()) - 6 * 60,
      });
      const listed = await call(stale, 'GET', '/admin/me/passkeys');
      expect(listed.statusCode).toBe(200);
      expect(listed.json()).toMatchObject({ data: [{ id: auth.id, name: 'Phone' }], next_cursor: null });
      for (const [method, url] of [
        ['POST', '/admin/me/passkeys/registration-options'],
        ['DELETE', `/admin/me/passkeys/${auth.id}`],
      ] as const) {
        const refused = await call(stale, method, url);
        expect(refused.statusCode).toBe(403);
        expect(refused.json()).toMatchObject({ code: 'reauthentication_required' });
      }
      const noAuthTime = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        amr: ['pwd', 'otp'],
      });
      expect((await call(noAuthTime, 'DELETE', `/admin/me/passkeys/${auth.id}`)).json()).toMatchObject({
        code: 'reauthentication_required',
      });

      // Someone else's passkey id: not found, and still there.
      const other = await newUser();
      const othersKey = await enrol(other.id);
      expect((await call(fresh, 'DELETE', `/admin/me/passkeys/${othersKey.id}`)).statusCode).toBe(404);
      expect(await env.identity.passkeys.list(other.id)).toHaveLength(1);

      expect((await call(fresh, 'DELETE', `/admin/me/passkeys/${auth.id}`)).statusCode).toBe(204);
      expect((await call(fresh, 'GET', '/admin/me/passkeys')).json()).toMatchObject({ data: [] });

      const audit = await env.identity.audit.list({ limit: 20, actor: user.id });
      const actions = audit.data.map((r) => `${r.action} ${r.outcome}`);
      expect(actions).toContain('POST /admin/me/passkeys success');
      expect(actions).toContain(`DELETE /admin/me/passkeys/:id success`);
      expect(actions).toContain(`DELETE /admin/me/passkeys/:id denied`);
    });

    it('changes one’s own email only after a recent sign-in, and never to another staff member’s', async () => {
      const user = await newUser();
      const other = await newUser();
      const signedIn = seconds(clock.now()) - 60;
      const fresh = await providerToken(env, { sub: user.id, principal_type: 'staff', auth_time: signedIn });
      const me = await call(fresh, 'GET', '/admin/me');
      expect(me.json()).toMatchObject({
        user: {
          id: user.id,
          email: user.email,
          mfa: { totp: true, passkeys: 0 },
          signed_in_at: new Date(signedIn * 1000).toISOString(),
          recent_until: new Date((signedIn + 300) * 1000).toISOString(),
        },
      });
      const stale = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        auth_time: seconds(clock.now()) - 301,
      });
      const refused = await call(stale, 'PATCH', '/admin/me', { email: 'renamed@example.com' });
      expect(refused.statusCode).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'reauthentication_required' });
      const taken = await call(fresh, 'PATCH', '/admin/me', { email: other.email.toUpperCase() });
      expect(taken.statusCode).toBe(409);
      expect(taken.json()).toMatchObject({ code: 'staff_exists' });
      const changed = await call(fresh, 'PATCH', '/admin/me', { email: `renamed-${user.id}@example.com` });
      expect(changed.statusCode).toBe(200);
      expect(changed.json()).toMatchObject({ user: { email: `renamed-${user.id}@example.com` } });
      expect(await env.identity.staff.passwordLogin(`renamed-${user.id}@example.com`, PASSWORD)).toEqual({
        outcome: 'ok',
        userId: user.id,
      });
      expect(await env.identity.staff.passwordLogin(user.email, PASSWORD)).toEqual({ outcome: 'invalid' });
    });

    it('answers 401 without a token, 403 to a customer and to a staff token without a second factor', async () => {
      const user = await newUser();
      expect((await call(null, 'GET', '/admin/me/passkeys')).statusCode).toBe(401);
      const customer = await providerToken(env, { sub: 'cus_1', principal_type: 'customer' });
      expect((await call(customer, 'GET', '/admin/me/passkeys')).statusCode).toBe(403);
      const onlyPassword = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        amr: ['pwd'],
        auth_time: seconds(clock.now()),
      });
      expect((await call(onlyPassword, 'POST', '/admin/me/passkeys/registration-options')).statusCode).toBe(
        403,
      );
    });

    it('refuses a registration answer for a wrong origin with a problem staff can act on', async () => {
      const user = await newUser();
      const token = await providerToken(env, {
        sub: user.id,
        principal_type: 'staff',
        auth_time: seconds(clock.now()),
      });
      const options = await call(token, 'POST', '/admin/me/passkeys/registration-options');
      const credential = softAuthenticator().register(
        options.json<{ options: { challenge: string; rp: { id: string } } }>().options,
        'https://evil.example',
      );
      const res = await call(token, 'POST', '/admin/me/passkeys', { name: 'Phone', credential });
      expect(res.statusCode).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json()).toMatchObject({
        code: 'passkey_rejected',
        detail: expect.stringContaining('another site'),
      });
    });
  });
});

/**
 * The whole sign-in over a real socket: password, then "Use a passkey" on the provider's page
 * (answered by the software authenticator as the page's script would post it). The tokens carry
 * `amr` with `hwk` and `auth_time`, and open /admin.
 */
describe.each(databaseKinds())('staff sign-in with a passkey on %s', (kind) => {
  let env: IdentityPlatform;
  const redirectUri = 'http://127.0.0.1:9/admin/callback';

  beforeAll(async () => {
    env = await startIdentity(kind, { listen: true });
    await env.identity.service.registerClient({
      clientId: 'admin',
      kind: 'staff',
      redirectUris: [redirectUri],
    });
  });
  afterAll(() => env.close());

  it('signs in with password and passkey; the page’s script is allowed by its hash; the use is audited', async () => {
    const { user } = await env.identity.staff.create({
      email: 'passkey-owner@example.com',
      password: PASSWORD,
      roles: ['owner'],
    });
    const auth = softAuthenticator();
    const reg = await env.identity.passkeys.registrationOptions(user.id);
    await env.identity.passkeys.register(user.id, { name: 'Key', response: auth.register(reg, env.origin) });

    const config = await client.discovery(new URL(`${env.origin}/auth`), 'admin', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid api',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      // As the dashboard asks: a sign-in of its own even while the provider has a session.
      prompt: 'login',
    });
    const go = browser(env.origin);
    const start = await follow(go, url.href, redirectUri);
    let form = formOf(await start.res.text());
    const afterPassword = await go(form.action, {
      method: 'POST',
      form: { csrf: form.csrf, email: 'passkey-owner@example.com', password: PASSWORD },
    });
    const page = await afterPassword.text();
    expect(page).toContain('Use a passkey');
    expect(page).toContain('Authentication code');
    const csp = afterPassword.headers.get('content-security-policy') ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    expect(csp).toContain(`script-src 'sha256-${createHash('sha256').update(script).digest('base64')}'`);
    expect(csp).not.toContain('unsafe-inline');
    const options = JSON.parse(
      /<script type="application\/json" id="passkey-options">([^<]*)<\/script>/.exec(page)?.[1] ?? '{}',
    );
    const action = /<form id="passkey-form" method="post" action="([^"]+)"/.exec(page)?.[1] ?? '';
    form = formOf(page);

    // A forged answer first (wrong origin): refused, the page offers a fresh challenge.
    const refused = await go(action, {
      method: 'POST',
      form: { csrf: form.csrf, credential: JSON.stringify(auth.assert(options, 'https://evil.example')) },
    });
    expect(refused.status).toBe(401);
    const retry = await refused.text();
    expect(retry).toContain('That passkey could not be verified');
    const fresh = JSON.parse(/id="passkey-options">([^<]*)</.exec(retry)?.[1] ?? '{}');
    expect(fresh.challenge).not.toBe(options.challenge);

    const done = await go(action, {
      method: 'POST',
      form: { csrf: form.csrf, credential: JSON.stringify(auth.assert(fresh, env.origin)) },
    });
    expect(done.status).toBe(303);
    const back = await follow(go, new URL(done.headers.get('location') ?? '', env.origin).href, redirectUri);
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: verifier,
    });
    const principal = await env.identity.authenticator.authenticate(tokens.access_token);
    expect(principal?.amr).toEqual(['pwd', 'hwk', 'mfa']);
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1] ?? '', 'base64url').toString());
    expect(Math.abs(claims.auth_time - Date.now() / 1000)).toBeLessThan(60);
    const users = await fetch(`${env.origin}/admin/users`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(users.status).toBe(200);

    // A token straight from this sign-in may add a passkey (recent sign-in).
    const more = await fetch(`${env.origin}/admin/me/passkeys/registration-options`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(more.status).toBe(200);

    const audit = await env.identity.audit.list({
      limit: 10,
      actor: user.id,
      action: 'POST /auth/interaction/:uid/passkey',
    });
    expect(audit.data.map((r) => [r.outcome, r.target])).toEqual([
      ['success', auth.id],
      ['failure', auth.id],
    ]);
  });
});
