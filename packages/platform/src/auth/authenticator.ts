import { errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { type Principal, permissionsForRoles } from './principal.ts';

/** Turns a bearer token into a principal, or null when the token is not valid. */
export interface Authenticator {
  authenticate(token: string): Promise<Principal | null>;
}

/** The authenticator before any identity provider is configured: no token is valid. */
export const denyAllAuthenticator: Authenticator = { authenticate: async () => null };

export interface JwtAuthenticatorOptions {
  issuer: string;
  audience: string;
  /** The provider's public keys: a key, or a JWKS resolver (`createLocalJWKSet`/`createRemoteJWKSet`). */
  keys: Exclude<Parameters<typeof jwtVerify>[1], JWTVerifyGetKey> | JWTVerifyGetKey;
  /** Allowed clock skew in seconds. Default 30. */
  clockToleranceSeconds?: number;
}

/**
 * Only asymmetric algorithms: an HMAC algorithm would let anyone holding the public key sign
 * tokens (key confusion), and `none` is never accepted.
 */
const ALGORITHMS = ['ES256', 'EdDSA', 'RS256', 'PS256'];

const KINDS = new Set(['staff', 'customer', 'service']);

/**
 * Verifies JWT access tokens: signature (asymmetric allow-list), `iss`, `aud`, `exp`, `nbf`.
 * Claims used: `sub`, `principal_type` (staff | customer | service), `roles`, `amr`.
 * Embedded keys (`jwk`/`x5c` headers) are ignored: only the configured keys verify.
 */
export function createJwtAuthenticator(options: JwtAuthenticatorOptions): Authenticator {
  return {
    async authenticate(token) {
      try {
        const verifyOptions = {
          issuer: options.issuer,
          audience: options.audience,
          algorithms: ALGORITHMS,
          clockTolerance: options.clockToleranceSeconds ?? 30,
          requiredClaims: ['sub', 'exp'],
        };
        const { payload } =
          typeof options.keys === 'function'
            ? await jwtVerify(token, options.keys, verifyOptions)
            : await jwtVerify(token, options.keys, verifyOptions);
        const kind = typeof payload.principal_type === 'string' ? payload.principal_type : '';
        if (!KINDS.has(kind) || typeof payload.sub !== 'string') return null;
        const roles = stringList(payload.roles);
        return {
          subject: payload.sub,
          kind: kind as Principal['kind'],
          roles,
          permissions: kind === 'customer' ? new Set() : permissionsForRoles(roles),
          amr: stringList(payload.amr),
        };
      } catch (err) {
        if (err instanceof errors.JOSEError) return null;
        throw err;
      }
    },
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
