import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type SecretStore } from '@emporium/platform';
import { KEY_BYTES, keyIdOf, newKey } from './envelope.ts';

/**
 * The key-encryption keys the vault may use. `current` wraps every new data key; the others only
 * unwrap records not yet re-wrapped by `emporium vault rotate-key`.
 */
export interface KeyRing {
  readonly current: { id: string; key: Buffer };
  /** The KEK with this id, or undefined when this process does not have it. */
  get(id: string): Buffer | undefined;
  /** Where a new KEK can come from: `file` keyrings make one; `secrets` are configured by the operator. */
  readonly source: 'secrets' | 'file' | 'memory';
  /**
   * Makes a new KEK current (file and memory keyrings only) and returns it; the previous ones stay
   * for unwrapping until every record is re-wrapped.
   */
  addKey(): { id: string; key: Buffer };
}

const parseKey = (name: string, value: string): Buffer => {
  const key = Buffer.from(value.trim(), 'base64');
  if (key.length !== KEY_BYTES || !/^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())) {
    throw new ConfigError([
      `${name} must be ${KEY_BYTES} random bytes in base64 (make one with: openssl rand -base64 32)`,
    ]);
  }
  return key;
};

/** A keyring held only in memory, for tests. */
export function memoryKeyRing(keys: Buffer[] = [newKey()]): KeyRing {
  const byId = new Map(keys.map((k) => [keyIdOf(k), k] as const));
  let current = keys[keys.length - 1] ?? newKey();
  byId.set(keyIdOf(current), current);
  return {
    source: 'memory',
    get current() {
      return { id: keyIdOf(current), key: current };
    },
    get: (id) => byId.get(id),
    addKey() {
      current = newKey();
      byId.set(keyIdOf(current), current);
      return { id: keyIdOf(current), key: current };
    },
  };
}

interface KeyFile {
  current: string;
  keys: Record<string, string>;
}

/**
 * A keyring in a file only the owner may read (embedded mode when no KEK is configured): made with
 * a fresh KEK on first start, in the data directory (never in the repository).
 */
export function fileKeyRing(path: string): KeyRing {
  const write = (data: KeyFile) => {
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, path);
    chmodSync(path, 0o600);
  };
  let data: KeyFile;
  if (existsSync(path)) {
    try {
      data = JSON.parse(readFileSync(path, 'utf8')) as KeyFile;
    } catch {
      throw new ConfigError([`the vault keyring ${path} cannot be read as JSON`]);
    }
    if (typeof data.current !== 'string' || typeof data.keys?.[data.current] !== 'string') {
      throw new ConfigError([`the vault keyring ${path} names no current key`]);
    }
  } else {
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    const key = newKey();
    data = { current: keyIdOf(key), keys: { [keyIdOf(key)]: key.toString('base64') } };
    write(data);
  }
  const byId = new Map<string, Buffer>();
  for (const [id, value] of Object.entries(data.keys))
    byId.set(id, parseKey(`the vault keyring ${path}`, value));
  return {
    source: 'file',
    get current() {
      const key = byId.get(data.current);
      if (!key) throw new Error('the vault keyring lost its current key');
      return { id: data.current, key };
    },
    get: (id) => byId.get(id),
    addKey() {
      const key = newKey();
      const id = keyIdOf(key);
      byId.set(id, key);
      data = { current: id, keys: { ...data.keys, [id]: key.toString('base64') } };
      write(data);
      return { id, key };
    },
  };
}

/**
 * The keyring from the secret store: `VAULT_KEK` (current) and optionally `VAULT_KEK_PREVIOUS`
 * (comma-separated, still needed to unwrap records until `vault rotate-key` has run). Both may come
 * from files (`VAULT_KEK_FILE`). To rotate: deploy a new `VAULT_KEK` with the old one in
 * `VAULT_KEK_PREVIOUS`, then run `emporium vault rotate-key`, then drop the old one.
 */
export function secretsKeyRing(secrets: SecretStore): KeyRing | undefined {
  const currentRaw = secrets.get('VAULT_KEK');
  if (currentRaw === undefined) return undefined;
  const current = parseKey('VAULT_KEK', currentRaw);
  const byId = new Map<string, Buffer>([[keyIdOf(current), current]]);
  for (const part of (secrets.get('VAULT_KEK_PREVIOUS') ?? '').split(',')) {
    if (part.trim() === '') continue;
    const key = parseKey('VAULT_KEK_PREVIOUS', part);
    byId.set(keyIdOf(key), key);
  }
  return {
    source: 'secrets',
    current: { id: keyIdOf(current), key: current },
    get: (id) => byId.get(id),
    addKey() {
      throw new Error(
        'the KEK comes from VAULT_KEK: configure the new key there (old one in VAULT_KEK_PREVIOUS)',
      );
    },
  };
}

/**
 * The vault's keyring: from the secret store when `VAULT_KEK` is set; otherwise, in embedded mode,
 * a keyring file in the data directory made on first start. With PostgreSQL (`DATABASE_URL`) a
 * configured KEK is required: several processes must share it, and a key made on one machine would
 * lock the others out.
 */
export function openKeyRing(options: { secrets: SecretStore; dataDir: string; embedded: boolean }): KeyRing {
  const configured = secretsKeyRing(options.secrets);
  if (configured) return configured;
  if (!options.embedded) {
    throw new ConfigError([
      'VAULT_KEK (or VAULT_KEK_FILE) is required with DATABASE_URL: 32 random bytes in base64 (openssl rand -base64 32)',
    ]);
  }
  return fileKeyRing(join(options.dataDir, 'vault', 'keyring.json'));
}
