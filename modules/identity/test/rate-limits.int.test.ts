import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IdentityPlatform, startIdentity } from './support.ts';

// In-process limiter (embedded mode) on PGlite: registration is limited per client address.
describe('rate limits on identity routes', () => {
  let on: IdentityPlatform;
  let off: IdentityPlatform;
  beforeAll(async () => {
    on = await startIdentity('pglite', { env: { EMPORIUM_RATE_LIMITS: 'on' } });
    off = await startIdentity('pglite', { env: { EMPORIUM_RATE_LIMITS: 'off' } });
  });
  afterAll(async () => {
    await on.close();
    await off.close();
  });

  const register = (env: IdentityPlatform, i: number) =>
    env.platform.app.inject({
      method: 'POST',
      url: '/store/customers',
      payload: { email: `user${i}@example.com`, password: 'x' },
    });

  it('answers 429 with Retry-After once an address has registered 10 times in an hour', async () => {
    for (let i = 0; i < 10; i++) expect((await register(on, i)).statusCode).toBe(422);
    const limited = await register(on, 10);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('limits password reset requests per account, whatever the address', async () => {
    const reset = () =>
      on.platform.app.inject({
        method: 'POST',
        url: '/store/customers/password-reset',
        payload: { email: 'x@example.com' },
      });
    for (let i = 0; i < 3; i++) expect((await reset()).statusCode).toBe(202);
    expect((await reset()).statusCode).toBe(429);
  });

  it('never limits with EMPORIUM_RATE_LIMITS=off', async () => {
    for (let i = 0; i < 15; i++) expect((await register(off, i)).statusCode).toBe(422);
  });
});
