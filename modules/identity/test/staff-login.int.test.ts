import { ManualClock } from '@emporium/platform';
import { databaseKinds } from '@emporium/testkit';
import * as client from 'openid-client';
import { generate } from 'otplib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, follow, formOf, type IdentityPlatform, startIdentity } from './support.ts';

const secretOf = (totpUri: string) => new URL(totpUri).searchParams.get('secret') ?? '';
const PASSWORD = 'staff password of some length';

/**
 * Staff sign in through the provider's pages over a real socket: password, then a TOTP code; the
 * access token carries the roles and `amr` with the second factor, and opens /admin/users.
 */
describe.each(databaseKinds())('staff sign-in with MFA on %s', (kind) => {
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

  async function startLogin(config: client.Configuration) {
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid api',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const go = browser(env.origin);
    const page = await follow(go, url.href, redirectUri);
    return { go, verifier, html: await page.res.text() };
  }

  it('needs the password and a TOTP code; the token has the second factor and opens /admin/users; a used code is refused', async () => {
    const created = await env.identity.staff.create({
      email: 'owner@example.com',
      password: PASSWORD,
      roles: ['owner'],
    });
    const config = await client.discovery(new URL(`${env.origin}/auth`), 'admin', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const first = await startLogin(config);
    expect(first.html).toContain('Staff sign in');
    let form = formOf(first.html);
    const afterPassword = await first.go(form.action, {
      method: 'POST',
      form: { csrf: form.csrf, email: 'owner@example.com', password: PASSWORD },
    });
    expect(afterPassword.status).toBe(200);
    const mfaHtml = await afterPassword.text();
    expect(mfaHtml).toContain('Authentication code');
    const code = await generate({ secret: secretOf(created.totpUri) });
    form = formOf(mfaHtml);
    const done = await first.go(form.action, { method: 'POST', form: { csrf: form.csrf, code } });
    expect(done.status).toBe(303);
    const back = await follow(
      first.go,
      new URL(done.headers.get('location') ?? '', env.origin).href,
      redirectUri,
    );
    const tokens = await client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: first.verifier,
    });
    const principal = await env.identity.authenticator.authenticate(tokens.access_token);
    expect(principal).toMatchObject({ subject: created.user.id, kind: 'staff', roles: ['owner'] });
    expect(principal?.amr).toContain('otp');
    const users = await fetch(`${env.origin}/admin/users`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(users.status).toBe(200);

    // The same code again, in a new sign-in: refused (replay).
    const second = await startLogin(config);
    form = formOf(second.html);
    const pwd = await second.go(form.action, {
      method: 'POST',
      form: { csrf: form.csrf, email: 'owner@example.com', password: PASSWORD },
    });
    form = formOf(await pwd.text());
    const replay = await second.go(form.action, { method: 'POST', form: { csrf: form.csrf, code } });
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('not valid or was already used');
  });

  it('refuses a form post without the CSRF token of its sign-in, or from another origin', async () => {
    const config = await client.discovery(new URL(`${env.origin}/auth`), 'admin', undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const { go, html } = await startLogin(config);
    const { action } = formOf(html);
    const r = await go(action, {
      method: 'POST',
      form: { csrf: 'forged', email: 'owner@example.com', password: PASSWORD },
    });
    expect(r.status).toBe(403);
  });

  it('accepts a recovery code once', async () => {
    const created = await env.identity.staff.create({
      email: 'rc@example.com',
      password: PASSWORD,
      roles: ['support'],
    });
    const [code] = created.recoveryCodes;
    expect(await env.identity.staff.verifySecondFactor(created.user.id, code ?? '')).toBe('ok');
    expect(await env.identity.staff.verifySecondFactor(created.user.id, code ?? '')).toBe('invalid');
  });
});

describe.each(databaseKinds())('staff lockout on %s', (kind) => {
  const clock = new ManualClock(new Date());
  let env: IdentityPlatform;
  beforeAll(async () => {
    env = await startIdentity(kind, { clock });
  });
  afterAll(() => env.close());

  it('locks the account for 30 minutes after 10 failed attempts, even for the right password, then lets it in', async () => {
    const { user } = await env.identity.staff.create({
      email: 'lock@example.com',
      password: PASSWORD,
      roles: ['admin'],
    });
    for (let i = 1; i <= 9; i++) {
      expect(await env.identity.staff.passwordLogin('lock@example.com', 'wrong password here')).toEqual({
        outcome: 'invalid',
      });
    }
    expect((await env.identity.staff.passwordLogin('lock@example.com', 'wrong password here')).outcome).toBe(
      'locked',
    );
    expect((await env.identity.staff.passwordLogin('lock@example.com', PASSWORD)).outcome).toBe('locked');
    expect(await env.identity.staff.verifySecondFactor(user.id, '123456')).toBe('locked');
    clock.advance(29 * 60_000);
    expect((await env.identity.staff.passwordLogin('lock@example.com', PASSWORD)).outcome).toBe('locked');
    clock.advance(61_000);
    expect(await env.identity.staff.passwordLogin('lock@example.com', PASSWORD)).toEqual({
      outcome: 'ok',
      userId: user.id,
    });
  });

  it('answers an unknown email exactly as a wrong password', async () => {
    expect(await env.identity.staff.passwordLogin('nobody@example.com', 'whatever password')).toEqual({
      outcome: 'invalid',
    });
  });
});
