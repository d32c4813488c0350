import { type Authenticator, createJwtAuthenticator } from '@emporium/platform';
import { generateKeyPair, SignJWT } from 'jose';

export interface TestTokenOptions {
  /** Default ['owner']. */
  roles?: string[];
  /** Default ['pwd', 'otp'] for staff (a second factor), ['pwd'] otherwise. */
  amr?: string[];
  /** Default 'staff'. */
  kind?: 'staff' | 'customer' | 'service';
  subject?: string;
  /** Seconds from now; negative for an expired token. Default 300. */
  expiresIn?: number;
}

export interface TestAuth {
  /** Verifies tokens signed by this test's own key; pass it to startTestPlatform. */
  authenticator: Authenticator;
  token(options?: TestTokenOptions): Promise<string>;
  /** `{ authorization: 'Bearer …' }` for app.inject. */
  headers(options?: TestTokenOptions): Promise<{ authorization: string }>;
}

const ISSUER = 'https://auth.test.emporium';
const AUDIENCE = 'emporium-api';

/**
 * A real JWT authenticator with a key pair made for this test (ES256): tokens are signed and
 * verified exactly as in production, only the issuer is the test itself.
 */
export async function createTestAuth(): Promise<TestAuth> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const token = async (options: TestTokenOptions = {}): Promise<string> => {
    const kind = options.kind ?? 'staff';
    return new SignJWT({
      principal_type: kind,
      roles: options.roles ?? (kind === 'customer' ? [] : ['owner']),
      amr: options.amr ?? (kind === 'staff' ? ['pwd', 'otp'] : ['pwd']),
    })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(options.subject ?? `${kind}_test`)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + (options.expiresIn ?? 300))
      .sign(privateKey);
  };
  return {
    authenticator: createJwtAuthenticator({ issuer: ISSUER, audience: AUDIENCE, keys: publicKey }),
    token,
    headers: async (options) => ({ authorization: `Bearer ${await token(options)}` }),
  };
}
