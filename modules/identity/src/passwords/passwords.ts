import { readFileSync } from 'node:fs';
import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords: argon2id (OWASP parameters: 19 MiB, 2 iterations), a minimum length and a check
 * against the 10,000 most common passwords of at least 8 characters (common-passwords.txt, taken
 * from the MIT-licensed zxcvbn-ts common list). No composition rules (NIST SP 800-63B).
 */
// algorithm 2 is Argon2id (a const enum, which type stripping cannot read).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter(Boolean),
  );
  return common;
}

export const MIN_CUSTOMER_PASSWORD = 8;
export const MIN_STAFF_PASSWORD = 12;
export const MAX_PASSWORD = 256;

/** Why a new password is refused, or null when it is acceptable. */
export function passwordProblem(password: string, minLength: number): string | null {
  if ([...password].length < minLength) return `Use a password of at least ${minLength} characters.`;
  if ([...password].length > MAX_PASSWORD) return `Use a password of at most ${MAX_PASSWORD} characters.`;
  if (commonPasswords().has(password.toLowerCase())) {
    return 'This password is one of the most commonly used ones; choose another.';
  }
  return null;
}

export const hashPassword = (password: string): Promise<string> => hash(password, OPTIONS);

// Hashed once: unknown accounts verify against it so that they take as long as known ones.
let dummy: Promise<string> | undefined;

/**
 * Checks `password` against `stored`; with no stored hash (unknown account) it still verifies
 * against a dummy hash, so that the answer takes the same time either way (no enumeration).
 */
export async function checkPassword(stored: string | null | undefined, password: string): Promise<boolean> {
  dummy ??= hash('not-a-real-password-for-timing', OPTIONS);
  const target = stored ?? (await dummy);
  const ok = await verify(target, password).catch(() => false);
  return ok && stored != null;
}
