import { generateKeyPair, type JWTVerifyGetKey, SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJwtAuthenticator } from './authenticator.ts';

const ISSUER = 'https://id.example.test';
const AUDIENCE = 'emporium';

async function setup() {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  let keyLookups = 0;
  // A key resolver that counts how often a signature is checked.
  const keys: JWTVerifyGetKey = async () => {
    keyLookups++;
    return publicKey;
  };
  const sign = (claims: Record<string, unknown>, expiresInSeconds: number) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('usr_1')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(privateKey);
  const auth = createJwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, keys, clockToleranceSeconds: 0 });
  return { auth, sign, lookups: () => keyLookups };
}

describe('JWT authenticator', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks a token’s signature once, then answers from memory until the token expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { auth, sign, lookups } = await setup();
    const token = await sign({ principal_type: 'staff', roles: ['owner'], amr: ['pwd', 'otp'] }, 120);
    const first = await auth.authenticate(token);
    expect(first).toMatchObject({ subject: 'usr_1', kind: 'staff', roles: ['owner'] });
    expect(first?.permissions.size).toBeGreaterThan(0);
    expect(await auth.authenticate(token)).toEqual(first);
    expect(lookups()).toBe(1);

    vi.setSystemTime(Date.now() + 121_000);
    expect(await auth.authenticate(token)).toBeNull();
  });

  it('never remembers a token that failed: a forged one is refused every time', async () => {
    const { auth, sign } = await setup();
    const other = await setup();
    const forged = await other.sign({ principal_type: 'staff', roles: ['owner'] }, 120);
    expect(await auth.authenticate(forged)).toBeNull();
    expect(await auth.authenticate(forged)).toBeNull();
    const wrongKind = await sign({ principal_type: 'robot' }, 120);
    expect(await auth.authenticate(wrongKind)).toBeNull();
  });

  it('refuses what is not a compact JWS (a cart secret, a token cut short or padded) without verifying it', async () => {
    const { auth, sign, lookups } = await setup();
    const token = await sign({ principal_type: 'staff', roles: ['owner'] }, 120);
    const [header, payload, signature] = token.split('.');
    for (const notJws of [
      'cs_Zm9vYmFy',
      `${header}.${payload}`,
      `${token}.extra`,
      `.${payload}.${signature}`,
      '..',
    ]) {
      expect(await auth.authenticate(notJws), notJws).toBeNull();
    }
    expect(lookups()).toBe(0);
    expect(await auth.authenticate(token)).toMatchObject({ subject: 'usr_1' });
  });
});
