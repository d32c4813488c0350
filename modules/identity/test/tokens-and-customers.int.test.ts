import { databaseKinds } from '@emporium/testkit';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUDIENCE } from '../src/contract/index.ts';
import { type IdentityPlatform, startIdentity } from './support.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

/**
 * Tokens at the edge, checked by the identity module's own authenticator with the provider's keys,
 * and customers' own data: in-process requests on a real database.
 */
describe.each(databaseKinds())('access tokens and customer accounts on %s', (kind) => {
  let env: IdentityPlatform;
  let key: JWK;
  const inject = (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
    url: string,
    token?: string,
    payload?: object,
  ) =>
    env.platform.app.inject({
      method,
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(payload ? { payload } : {}),
    });

  /** A token signed with the provider's own key: what the provider would issue for `claims`. */
  const sign = async (
    claims: Record<string, unknown>,
    options: { aud?: string; iss?: string; exp?: number } = {},
  ) =>
    new SignJWT({ principal_type: 'customer', roles: [], amr: ['pwd'], ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: key.kid ?? '' })
      .setIssuer(options.iss ?? env.identity.issuer)
      .setAudience(options.aud ?? API_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 300)
      .sign(await importJWK(key, 'ES256'));

  const register = async (email: string) => {
    const r = await inject('POST', '/store/customers', undefined, {
      email,
      password: 'long enough password',
    });
    expect(r.statusCode).toBe(201);
    return r.json().customer.id as string;
  };

  beforeAll(async () => {
    env = await startIdentity(kind);
    const r = await sql<{
      material: string;
    }>`select material from identity.key_material where kind = 'signing'`.execute(
      env.platform.ports.db.primary,
    );
    key = JSON.parse(r.rows[0]?.material ?? '{}');
  });
  afterAll(() => env.close());

  it('accepts a token the provider signed, and answers 401 to alg none, HS256 over the public key, an embedded key, another key, wrong aud or iss, and expiry', async () => {
    const id = await register('tok@example.com');
    expect((await inject('GET', '/store/customers/me', await sign({ sub: id }))).statusCode).toBe(200);

    const claims = {
      sub: id,
      principal_type: 'customer',
      iss: env.identity.issuer,
      aud: API_AUDIENCE,
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const { d: _d, ...publicKey } = key;
    const other = await generateKeyPair('ES256');
    const forged = [
      `${b64({ alg: 'none' })}.${b64(claims)}.`,
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode(JSON.stringify(publicKey))),
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', jwk: await exportJWK(other.publicKey) })
        .sign(other.privateKey),
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', kid: key.kid ?? '' })
        .sign(other.privateKey),
      await sign({ sub: id }, { aud: 'another-api' }),
      await sign({ sub: id }, { iss: 'http://evil.example/auth' }),
      await sign({ sub: id }, { exp: Math.floor(Date.now() / 1000) - 120 }),
      'not-a-jwt',
    ];
    for (const token of forged) {
      const r = await inject('GET', '/store/customers/me', token);
      expect(r.statusCode, token.slice(0, 40)).toBe(401);
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
      expect((await inject('GET', '/admin/users', token)).statusCode).toBe(401);
    }
    expect((await inject('GET', '/store/customers/me')).statusCode).toBe(401);
  });

  it('answers 403 on /admin to a customer token and to a staff token without a second factor', async () => {
    const customer = await sign({ sub: 'cus_x' });
    expect((await inject('GET', '/admin/users', customer)).statusCode).toBe(403);
    const noMfa = await sign({ sub: 'usr_x', principal_type: 'staff', roles: ['owner'], amr: ['pwd'] });
    expect((await inject('GET', '/admin/users', noMfa)).statusCode).toBe(403);
    const withMfa = await sign({
      sub: 'usr_x',
      principal_type: 'staff',
      roles: ['owner'],
      amr: ['pwd', 'otp'],
    });
    expect((await inject('GET', '/admin/users', withMfa)).statusCode).toBe(200);
  });

  it('keeps each customer to their own addresses: another customer’s address answers 404', async () => {
    const a = await sign({ sub: await register('a@example.com') });
    const b = await sign({ sub: await register('b@example.com') });
    const address = {
      first_name: 'Ada',
      last_name: 'L',
      line1: '1 Analytical St',
      city: 'London',
      postal_code: 'N1',
      country_code: 'gb',
    };
    const created = await inject('POST', '/store/customers/me/addresses', a, address);
    expect(created.statusCode).toBe(201);
    const addressId = created.json().address.id as string;

    expect((await inject('GET', '/store/customers/me/addresses', a)).json().data).toHaveLength(1);
    expect((await inject('GET', '/store/customers/me/addresses', b)).json().data).toEqual([]);
    expect(
      (await inject('PUT', `/store/customers/me/addresses/${addressId}`, b, { ...address, city: 'Paris' }))
        .statusCode,
    ).toBe(404);
    expect((await inject('DELETE', `/store/customers/me/addresses/${addressId}`, b)).statusCode).toBe(404);
    expect((await inject('GET', '/store/customers/me', b)).json().customer.email).toBe('b@example.com');
    expect((await inject('GET', '/store/customers/me/addresses', a)).json().data[0]).toMatchObject({
      city: 'London',
    });

    // At rest the address and the email are ciphertext; the email is found through its keyed hash.
    const row = await sql<{
      data_enc: string;
    }>`select data_enc from identity.customer_addresses where id = ${addressId}`.execute(
      env.platform.ports.db.primary,
    );
    expect(row.rows[0]?.data_enc).not.toContain('London');
    const emails = await sql<{ email_enc: string }>`select email_enc from identity.customers`.execute(
      env.platform.ports.db.primary,
    );
    expect(emails.rows.some((r) => r.email_enc.includes('@'))).toBe(false);
  });

  it('refuses short and common passwords and a second account for the same email (in any case)', async () => {
    for (const password of ['short', 'password123', 'Baseball']) {
      const r = await inject('POST', '/store/customers', undefined, { email: 'weak@example.com', password });
      expect(r.statusCode).toBe(422);
      expect(r.json()).toMatchObject({ code: 'weak_password' });
    }
    await register('twice@example.com');
    const again = await inject('POST', '/store/customers', undefined, {
      email: 'TWICE@example.com',
      password: 'another long password',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'customer_exists' });
  });

  it('verifies the email and resets the password with single-use emailed tokens; unknown emails get the same answer', async () => {
    const id = await register('reset@example.com');
    const tokenIn = (m: { text: string } | undefined) =>
      /token=([A-Za-z0-9_-]+)/.exec(m?.text ?? '')?.[1] ?? '';
    const verify = env.sent.find((m) => m.kind === 'identity.verify_email' && m.to === 'reset@example.com');
    expect(verify?.text).toContain(`${env.origin}/account/verify-email?token=`);
    expect(
      (await inject('POST', '/store/customers/verify-email', undefined, { token: tokenIn(verify) }))
        .statusCode,
    ).toBe(204);
    expect(
      (await inject('POST', '/store/customers/verify-email', undefined, { token: tokenIn(verify) }))
        .statusCode,
    ).toBe(422);
    expect(
      (await inject('GET', '/store/customers/me', await sign({ sub: id }))).json().customer.email_verified,
    ).toBe(true);

    const known = await inject('POST', '/store/customers/password-reset', undefined, {
      email: 'reset@example.com',
    });
    const unknown = await inject('POST', '/store/customers/password-reset', undefined, {
      email: 'ghost@example.com',
    });
    expect([known.statusCode, unknown.statusCode]).toEqual([202, 202]);
    expect(known.body).toBe(unknown.body);
    const reset = env.sent.find((m) => m.kind === 'identity.password_reset');
    expect(env.sent.filter((m) => m.to === 'ghost@example.com')).toEqual([]);
    const confirm = { token: tokenIn(reset), password: 'a brand new password' };
    expect(
      (await inject('POST', '/store/customers/password-reset/confirm', undefined, confirm)).statusCode,
    ).toBe(204);
    expect(
      (await inject('POST', '/store/customers/password-reset/confirm', undefined, confirm)).statusCode,
    ).toBe(422);
    expect(await env.identity.customers.authenticate('reset@example.com', 'a brand new password')).toBe(id);
    expect(await env.identity.customers.authenticate('reset@example.com', 'long enough password')).toBeNull();
  });
});
