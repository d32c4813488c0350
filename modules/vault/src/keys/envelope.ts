import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * AES-256-GCM: `base64(iv | tag | ciphertext)`. `aad` binds the ciphertext to its record (the
 * token, the key id), so a ciphertext copied onto another row fails to decrypt.
 */
export function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
}

/** Opens what `seal` made; throws when the key, the AAD or a single bit is wrong. */
export function open(key: Buffer, sealed: string, aad: string): Buffer {
  const raw = Buffer.from(sealed, 'base64');
  const iv = raw.subarray(0, IV_BYTES);
  const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

/** A fresh random 256-bit key (a data key or a key-encryption key). */
export const newKey = (): Buffer => randomBytes(KEY_BYTES);

/** A key-encryption key's public id: derived from the key, so the same key always has the same id. */
export const keyIdOf = (kek: Buffer): string =>
  `kek_${createHash('sha256').update('emporium-vault-kek-id:').update(kek).digest('hex').slice(0, 20)}`;

/** Wraps a data key under a KEK; the AAD names the KEK and the record. */
export const wrapKey = (kek: Buffer, kekId: string, dataKey: Buffer, record: string): string =>
  seal(kek, dataKey, `${kekId}:${record}`);

export const unwrapKey = (kek: Buffer, kekId: string, wrapped: string, record: string): Buffer =>
  open(kek, wrapped, `${kekId}:${record}`);

/** The keyed hash that finds the same card number again without storing it. */
export const fingerprintOf = (hmacKey: Buffer, number: string): string =>
  createHmac('sha256', hmacKey).update(number).digest('hex');
