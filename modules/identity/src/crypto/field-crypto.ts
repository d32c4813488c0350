import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * Field-level encryption of personal data (AES-256-GCM, a fresh 96-bit nonce per value) and the
 * keyed hash that finds an account by email without storing the email in clear.
 * Stored form: `v1.<nonce>.<ciphertext>.<tag>` (base64url parts).
 */
export interface FieldCrypto {
  encrypt(plain: string, context: string): string;
  decrypt(stored: string, context: string): string;
  /** HMAC-SHA256 of the normalised email under a key derived from the data key. */
  emailHash(email: string): string;
  /** HMAC of any value under a derived key (CSRF tokens, cookie keys). */
  mac(purpose: string, value: string): string;
}

export function createFieldCrypto(dataKey: Buffer): FieldCrypto {
  const derive = (label: string) => createHmac('sha256', dataKey).update(label).digest();
  const encKey = derive('identity/field-encryption/v1');
  const lookupKey = derive('identity/email-lookup/v1');
  return {
    encrypt(plain, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      // The context (table.column) is bound as associated data: a value moved to another column fails.
      cipher.setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [
        'v1',
        iv.toString('base64url'),
        body.toString('base64url'),
        cipher.getAuthTag().toString('base64url'),
      ].join('.');
    },
    decrypt(stored, context) {
      const [version, iv, body, tag] = stored.split('.');
      if (version !== 'v1' || !iv || body === undefined || !tag)
        throw new Error('unreadable encrypted field');
      const decipher = createDecipheriv('aes-256-gcm', encKey, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    },
    emailHash(email) {
      return createHmac('sha256', lookupKey).update(normaliseEmail(email)).digest('base64url');
    },
    mac(purpose, value) {
      return createHmac('sha256', derive(`identity/${purpose}`))
        .update(value)
        .digest('base64url');
    },
  };
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** SHA-256 for high-entropy secrets (API client secrets, emailed tokens): a slow hash adds nothing. */
export const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');
