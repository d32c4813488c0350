import { errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
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
  /** Verified tokens remembered (until they expire, at most a minute). Default 10 000; 0 turns it off. */
  cacheSize?: number;
}

/** The longest a verified token is remembered without checking its signature again. */
const CACHE_TTL_MS = 60_000;

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
  // A client sends the same token on every request until it expires; verifying its signature
  // each time (an ECDSA verification) was a visible share of a cheap admin request's CPU. A
  // verified token's claims cannot change, so they are kept until the token's `exp`, at most
  // CACHE_TTL_MS (so a rotated-out signing key stops being honoured within a minute).
  const size = options.cacheSize ?? 10_000;
  const verified =
    size > 0 ? new LRUCache<string, { principal: Principal; expMs: number }>({ max: size }) : undefined;
  const tolerance = options.clockToleranceSeconds ?? 30;
  const verifyOptions = {
    issuer: options.issuer,
    audience: options.audience,
    algorithms: ALGORITHMS,
    clockTolerance: tolerance,
    requiredClaims: ['sub', 'exp'],
  };

  const verify = async (token: string): Promise<{ principal: Principal; expMs: number } | null> => {
    // Not a compact JWS (header.payload.signature): a cart secret or a session id sent as a bearer
    // token. Refused here rather than by jose, which would build an error with a stack to say so.
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] === '') return null;
    try {
      const { payload } =
        typeof options.keys === 'function'
          ? await jwtVerify(token, options.keys, verifyOptions)
          : await jwtVerify(token, options.keys, verifyOptions);
      const kind = typeof payload.principal_type === 'string' ? payload.principal_type : '';
      if (!KINDS.has(kind) || typeof payload.sub !== 'string') return null;
      const roles = stringList(payload.roles);
      const principal: Principal = {
        subject: payload.sub,
        kind: kind as Principal['kind'],
        roles,
        permissions: kind === 'customer' ? new Set() : permissionsForRoles(roles),
        amr: stringList(payload.amr),
      };
      return { principal, expMs: ((payload.exp ?? 0) + tolerance) * 1000 };
    } catch (err) {
      if (err instanceof errors.JOSEError) return null;
      throw err;
    }
  };

  return {
    async authenticate(token) {
      const now = Date.now();
      const known = verified?.get(token);
      if (known && known.expMs > now) return known.principal;
      const result = await verify(token);
      if (!result) return null;
      verified?.set(token, result, { ttl: Math.max(1, Math.min(CACHE_TTL_MS, result.expMs - now)) });
      return result.principal;
    },
  };
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
