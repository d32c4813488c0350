import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock, Database, SecretStore } from '@emporium/platform';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { sql } from 'kysely';

/** The identity module's key material: token-signing keys (newest first) and the data key. */
export interface IdentityKeys {
  /** Private JWKs, newest first; the first signs, all are published until retired (rotation overlap). */
  readonly signing: readonly JWK[];
  /** 32 bytes: AES-256-GCM for personal data and the HMAC key for email lookup hashes. */
  readonly data: Buffer;
}

/** Secrets that carry the keys in distributed mode (or as NAME_FILE). */
export const SIGNING_SECRET = 'IDENTITY_SIGNING_JWKS';
export const DATA_KEY_SECRET = 'IDENTITY_DATA_KEY';

/** How long a signing key stays published after a newer one takes over: longer than any token lives. */
export const ROTATION_OVERLAP_MS = 24 * 60 * 60_000;

/**
 * Loads the keys from the secret store (`IDENTITY_SIGNING_JWKS`: a JWKS of private keys, newest
 * first; `IDENTITY_DATA_KEY`: 32 bytes base64url). What the store lacks is generated once and kept
 * in `identity.key_material` (the embedded first start), under a lock so that two processes starting
 * together agree.
 */
export async function loadIdentityKeys(
  db: Database,
  secrets: SecretStore,
  clock: Clock,
): Promise<IdentityKeys> {
  const signingSecret = secrets.get(SIGNING_SECRET);
  const dataSecret = secrets.get(DATA_KEY_SECRET);
  let signing: JWK[] | undefined;
  let data: Buffer | undefined;
  if (signingSecret) signing = parseJwks(signingSecret);
  if (dataSecret) {
    data = Buffer.from(dataSecret, 'base64url');
    if (data.length !== 32) throw new Error(`${DATA_KEY_SECRET} must be 32 bytes, base64url-encoded`);
  }
  if (signing && data) return { signing, data };

  const stored = await db.transaction(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('identity.key_material'))`.execute(trx);
    const now = clock.now();
    const rows = await sql<{ kid: string; kind: string; material: string }>`
      select kid, kind, material from identity.key_material
      where retire_after is null or retire_after > ${now}
      order by created_at desc, kid desc`.execute(trx);
    let keys = rows.rows.filter((r) => r.kind === 'signing');
    let dataRow = rows.rows.find((r) => r.kind === 'data');
    if (!signing && keys.length === 0) {
      const jwk = await newSigningKey();
      await sql`insert into identity.key_material (kid, kind, material, created_at)
        values (${jwk.kid}, 'signing', ${JSON.stringify(jwk)}, ${now})`.execute(trx);
      keys = [{ kid: jwk.kid ?? '', kind: 'signing', material: JSON.stringify(jwk) }];
    }
    if (!data && !dataRow) {
      const material = randomBytes(32).toString('base64url');
      const kid = `data-${randomUUID()}`;
      await sql`insert into identity.key_material (kid, kind, material, created_at)
        values (${kid}, 'data', ${material}, ${now})`.execute(trx);
      dataRow = { kid, kind: 'data', material };
    }
    return { keys: keys.map((k) => JSON.parse(k.material) as JWK), data: dataRow?.material };
  });
  return {
    signing: signing ?? stored.keys,
    data: data ?? Buffer.from(stored.data ?? '', 'base64url'),
  };
}

/**
 * Adds a new signing key to the stored keys; the previous ones stay published for
 * ROTATION_OVERLAP_MS so that tokens they signed still verify. Takes effect at the next start.
 * (Keys from the secret store rotate by putting the new key first in IDENTITY_SIGNING_JWKS.)
 */
export async function rotateSigningKey(db: Database, clock: Clock): Promise<string> {
  const jwk = await newSigningKey();
  const now = clock.now();
  await db.transaction(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('identity.key_material'))`.execute(trx);
    await sql`update identity.key_material set retire_after = ${new Date(now.getTime() + ROTATION_OVERLAP_MS)}
      where kind = 'signing' and retire_after is null`.execute(trx);
    // Created a millisecond later so that it sorts first even when the clock stands still.
    await sql`insert into identity.key_material (kid, kind, material, created_at)
      values (${jwk.kid}, 'signing', ${JSON.stringify(jwk)}, ${new Date(now.getTime() + 1)})`.execute(trx);
  });
  return jwk.kid ?? '';
}

async function newSigningKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: 'ES256', use: 'sig' };
}

function parseJwks(raw: string): JWK[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error(`${SIGNING_SECRET} is not JSON (expected {"keys":[private JWKs]})`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (
    !Array.isArray(keys) ||
    keys.length === 0 ||
    !keys.every((k) => k && typeof k === 'object' && 'd' in k)
  ) {
    throw new Error(`${SIGNING_SECRET} must be {"keys":[...]} with at least one private key`);
  }
  return keys as JWK[];
}

/** The public half of a private JWK, for the authenticator and the JWKS document. */
export function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = jwk;
  return pub;
}
