import { databaseKinds } from '@emporium/testkit';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browser, follow, formOf, type IdentityPlatform, startIdentity } from './support.ts';

/**
 * A real third-party client (openid-client) against the provider over a real socket on 127.0.0.1:
 * authorization code + PKCE with the sign-in form submitted as a browser would (cookies carried,
 * redirects followed by hand), refresh with rotation and reuse detection, client credentials.
 */
/** What openid-client throws when the token endpoint refuses client authentication. */
const INVALID_CLIENT = { status: 401, cause: [{ parameters: { error: 'invalid_client' } }] };

describe.each(databaseKinds())('OpenID provider with a third-party client on %s', (kind) => {
  let env: IdentityPlatform;
  const redirectUri = 'http://127.0.0.1:9/callback';

  beforeAll(async () => {
    env = await startIdentity(kind, { listen: true });
    await env.identity.service.registerClient({
      clientId: 'storefront',
      kind: 'customer',
      redirectUris: [redirectUri],
    });
    await env.platform.app.inject({
      method: 'POST',
      url: '/store/customers',
      payload: { email: 'ada@example.com', password: 'correct horse battery', first_name: 'Ada' },
    });
  });
  afterAll(() => env.close());

  async function signIn(config: client.Configuration, email: string, password: string) {
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const authUrl = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid offline_access api',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const go = browser(env.origin);
    const page = await follow(go, authUrl.href, redirectUri);
    const html = await page.res.text();
    expect(html).toContain('<label for="email">Email</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain('<button type="submit">Sign in</button>');
    const { action, csrf } = formOf(html);
    const posted = await go(action, {
      method: 'POST',
      form: { csrf, email, password },
    });
    expect(posted.status).toBe(303);
    const back = await follow(
      go,
      new URL(posted.headers.get('location') ?? '', env.origin).href,
      redirectUri,
    );
    expect(back.url.startsWith(redirectUri)).toBe(true);
    return client.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
  }

  it('signs a customer in with authorization code + PKCE, and the access token opens /store/customers/me', async () => {
    const config = await client.discovery(
      new URL(`${env.origin}/auth`),
      'storefront',
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    expect(config.serverMetadata().code_challenge_methods_supported).toEqual(['S256']);
    expect(config.serverMetadata().grant_types_supported).not.toContain('implicit');
    expect(config.serverMetadata().grant_types_supported).not.toContain('password');
    const tokens = await signIn(config, 'ada@example.com', 'correct horse battery');
    expect(tokens.refresh_token).toBeTruthy();
    const me = await fetch(`${env.origin}/store/customers/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ customer: { email: 'ada@example.com', first_name: 'Ada' } });

    // Rotation: the refresh gives a new refresh token; the old one, used again, revokes the family.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    await expect(client.refreshTokenGrant(config, tokens.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
    await expect(client.refreshTokenGrant(config, refreshed.refresh_token ?? '')).rejects.toMatchObject({
      error: 'invalid_grant',
    });
  });

  it('refuses a wrong password on the sign-in form with the same answer as an unknown email', async () => {
    const config = await client.discovery(
      new URL(`${env.origin}/auth`),
      'storefront',
      undefined,
      client.None(),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    await expect(signIn(config, 'ada@example.com', 'wrong password!!')).rejects.toThrow();
    await expect(signIn(config, 'nobody@example.com', 'wrong password!!')).rejects.toThrow();
  });

  it('issues a service token by client credentials to an integration credential, and not after revocation', async () => {
    const { client: key, clientSecret } = await env.identity.apiClients.create({
      name: 'erp',
      roles: ['catalog_manager'],
    });
    const config = await client.discovery(
      new URL(`${env.origin}/auth`),
      key.clientId,
      clientSecret,
      client.ClientSecretBasic(clientSecret),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    const tokens = await client.clientCredentialsGrant(config, { scope: 'api' });
    const principal = await env.identity.authenticator.authenticate(tokens.access_token);
    expect(principal).toMatchObject({ kind: 'service', roles: ['catalog_manager'] });
    expect(principal?.permissions.has('catalog:write')).toBe(true);

    await env.identity.apiClients.revoke(key.clientId);
    await expect(client.clientCredentialsGrant(config, { scope: 'api' })).rejects.toMatchObject(
      INVALID_CLIENT,
    );
    const wrong = await client.discovery(
      new URL(`${env.origin}/auth`),
      key.clientId,
      'not-the-secret',
      client.ClientSecretBasic('not-the-secret'),
      {
        execute: [client.allowInsecureRequests],
      },
    );
    await expect(client.clientCredentialsGrant(wrong, { scope: 'api' })).rejects.toMatchObject(
      INVALID_CLIENT,
    );
  });
});
