import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/app-error.ts';
import { EnvSecretStore } from './secrets.ts';

const dir = mkdtempSync(join(tmpdir(), 'emporium-secrets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file holding `content`, as Docker and Kubernetes mount secrets. */
function secretFile(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** The ConfigError thrown by `fn`. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('EnvSecretStore', () => {
  it('reads a secret from the environment, and an unset or empty one as not configured', () => {
    const store = new EnvSecretStore({ API_KEY: 'k-123', EMPTY: '' });
    expect(store.get('API_KEY')).toBe('k-123');
    expect(store.require('API_KEY')).toBe('k-123');
    expect(store.get('MISSING')).toBeUndefined();
    expect(store.get('EMPTY')).toBeUndefined();
  });

  it('refuses to go on without a required secret, naming both ways to set it', () => {
    const err = configError(() => new EnvSecretStore({}).require('VAULT_KEK'));
    expect(err.problems).toEqual(['VAULT_KEK (or VAULT_KEK_FILE) is required and not set']);
  });

  it('reads NAME_FILE, dropping one trailing newline and keeping the lines inside', () => {
    const store = new EnvSecretStore({
      LF_FILE: secretFile('lf', 's3cret\n'),
      CRLF_FILE: secretFile('crlf', 's3cret\r\n'),
      BARE_FILE: secretFile('bare', 's3cret'),
      PEM_FILE: secretFile('pem', '-----BEGIN KEY-----\nabc\n-----END KEY-----\n'),
      TWO_FILE: secretFile('two', 's3cret\n\n'),
    });
    expect(store.get('LF')).toBe('s3cret');
    expect(store.get('CRLF')).toBe('s3cret');
    expect(store.require('BARE')).toBe('s3cret');
    expect(store.get('PEM')).toBe('-----BEGIN KEY-----\nabc\n-----END KEY-----');
    expect(store.get('TWO')).toBe('s3cret\n');
  });

  it('uses NAME_FILE when NAME is set but empty', () => {
    const store = new EnvSecretStore({ TOKEN: '', TOKEN_FILE: secretFile('token', 'from-file\n') });
    expect(store.get('TOKEN')).toBe('from-file');
  });

  it('refuses NAME and NAME_FILE set together, without showing the secret', () => {
    const store = new EnvSecretStore({
      TOKEN: 'direct-secret',
      TOKEN_FILE: secretFile('both', 'file-secret'),
    });
    const err = configError(() => store.get('TOKEN'));
    expect(err.problems).toEqual(['TOKEN and TOKEN_FILE are both set; set only one']);
    expect(err.message).not.toContain('direct-secret');
    expect(() => store.require('TOKEN')).toThrow(ConfigError);
  });

  it('refuses a NAME_FILE that cannot be read, naming NAME_FILE, the path and why', () => {
    const missing = join(dir, 'no-such-file');
    const err = configError(() => new EnvSecretStore({ DB_PASSWORD_FILE: missing }).get('DB_PASSWORD'));
    expect(err.problems).toEqual([`DB_PASSWORD_FILE points at ${missing}, which cannot be read (ENOENT)`]);

    const directory = configError(() => new EnvSecretStore({ DB_PASSWORD_FILE: dir }).require('DB_PASSWORD'));
    expect(directory.message).toContain('DB_PASSWORD_FILE');
    expect(directory.message).toContain('EISDIR');
  });

  it('refuses a NAME_FILE that is empty rather than use an empty secret', () => {
    for (const content of ['', '\n']) {
      const path = secretFile('empty', content);
      const err = configError(() => new EnvSecretStore({ JWT_KEY_FILE: path }).require('JWT_KEY'));
      expect(err.problems).toEqual([`JWT_KEY_FILE points at ${path}, which is empty`]);
    }
  });
});
