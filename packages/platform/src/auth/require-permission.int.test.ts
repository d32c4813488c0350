import { createTestAuth, startTestPlatform, type TestAuth, type TestPlatform } from '@emporium/testkit';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requirePermission } from './require-permission.ts';

// Real JWTs signed with a key made for this test, verified by the production authenticator.
describe('admin route permission checks', () => {
  let auth: TestAuth;
  let platform: TestPlatform;
  beforeAll(async () => {
    auth = await createTestAuth();
    platform = await startTestPlatform({
      authenticator: auth.authenticator,
      modules: [
        () => ({
          name: 'probe',
          async registerRoutes(app) {
            app.get('/admin/probe', { onRequest: requirePermission('catalog:write') }, async (request) => ({
              subject: request.principal?.subject,
            }));
          },
        }),
      ],
    });
  });
  afterAll(() => platform.close());

  const call = (headers: Record<string, string> = {}) =>
    platform.app.inject({ method: 'GET', url: '/admin/probe', headers });

  it('answers 401 without a token, with a garbage token and with an expired one', async () => {
    for (const headers of [{}, { authorization: 'Bearer nope' }, await auth.headers({ expiresIn: -120 })]) {
      const r = await call(headers);
      expect(r.statusCode).toBe(401);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({ code: 'unauthorized' });
    }
  });

  it('lets a staff member with the permission and a second factor through', async () => {
    const r = await call(await auth.headers({ roles: ['catalog_manager'], subject: 'usr_1' }));
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ subject: 'usr_1' });
  });

  it('answers 403 for a role without the permission, for staff without a second factor and for customers', async () => {
    for (const options of [
      { roles: ['support'] },
      { roles: ['owner'], amr: ['pwd'] },
      { kind: 'customer' as const },
    ]) {
      const r = await call(await auth.headers(options));
      expect(r.statusCode).toBe(403);
      expect(r.json()).toMatchObject({ code: 'forbidden' });
    }
  });

  it('refuses tokens signed with another key, with alg none, or with an HMAC over the public key', async () => {
    const other = await generateKeyPair('ES256');
    const forged = await new SignJWT({ principal_type: 'staff', roles: ['owner'], amr: ['otp'] })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer('https://auth.test.emporium')
      .setAudience('emporium-api')
      .setSubject('intruder')
      .setExpirationTime('5m')
      .sign(other.privateKey);
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const claims = {
      principal_type: 'staff',
      roles: ['owner'],
      amr: ['otp'],
      iss: 'https://auth.test.emporium',
      aud: 'emporium-api',
      sub: 'intruder',
      exp: Math.floor(Date.now() / 1000) + 300,
    };
    const none = `${b64({ alg: 'none' })}.${b64(claims)}.`;
    const jwk = await exportJWK(other.publicKey);
    const embedded = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', jwk })
      .sign(other.privateKey);
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(JSON.stringify(jwk)));
    for (const token of [forged, none, embedded, hmac]) {
      expect((await call({ authorization: `Bearer ${token}` })).statusCode).toBe(401);
    }
  });
});
