import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/app-error.ts';

/**
 * The secret store port. Local: environment variables, or `NAME_FILE` pointing at a file whose
 * content is the secret (Docker/Kubernetes secrets). Production can plug in a vault service
 * behind the same interface. Secrets are never logged and never have defaults.
 */
export interface SecretStore {
  /** The secret, or undefined when it is not configured. */
  get(name: string): string | undefined;
  /** The secret; stops with a ConfigError naming it when it is not configured. */
  require(name: string): string;
}

export class EnvSecretStore implements SecretStore {
  readonly #env: Readonly<Record<string, string | undefined>>;
  constructor(env: Readonly<Record<string, string | undefined>> = process.env) {
    this.#env = env;
  }

  get(name: string): string | undefined {
    const direct = this.#env[name];
    const file = this.#env[`${name}_FILE`];
    if (direct !== undefined && direct !== '' && file) {
      throw new ConfigError([`${name} and ${name}_FILE are both set; set only one`]);
    }
    if (file) {
      let content: string;
      try {
        // A trailing newline is an artefact of how files are written, never part of a secret.
        content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        throw new ConfigError([`${name}_FILE points at ${file}, which cannot be read (${reason})`]);
      }
      // An empty secret is a mistake (a secret mounted before it was filled in), never a key.
      if (content === '') throw new ConfigError([`${name}_FILE points at ${file}, which is empty`]);
      return content;
    }
    return direct === '' ? undefined : direct;
  }

  require(name: string): string {
    const value = this.get(name);
    if (value === undefined) throw new ConfigError([`${name} (or ${name}_FILE) is required and not set`]);
    return value;
  }
}
