import { ConfigError } from '@emporium/platform';
import { describe, expect, it } from 'vitest';
import { loadStorefrontConfig } from './config.ts';

describe('storefront settings', () => {
  it('defaults to the in-process API, this origin for the vault and a key kept on disk', () => {
    expect(loadStorefrontConfig({})).toEqual({
      apiUrl: undefined,
      vaultOrigin: undefined,
      sessionSecret: undefined,
      currency: 'usd',
      publicUrl: undefined,
      oidcClientId: 'storefront',
    });
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadStorefrontConfig({
        STOREFRONT_API_URL: 'ftp://x',
        STOREFRONT_SESSION_SECRET: 'short',
        STOREFRONT_CURRENCY: 'USD',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toMatch(/STOREFRONT_API_URL must be/);
    expect(message).toMatch(/STOREFRONT_SESSION_SECRET must be at least 32/);
    expect(message).toMatch(/STOREFRONT_CURRENCY must be/);
  });

  it('takes the vault origin without a path only', () => {
    expect(loadStorefrontConfig({ STOREFRONT_VAULT_ORIGIN: 'https://vault.example.com' }).vaultOrigin).toBe(
      'https://vault.example.com',
    );
    expect(() => loadStorefrontConfig({ STOREFRONT_VAULT_ORIGIN: 'https://vault.example.com/card' })).toThrow(
      /STOREFRONT_VAULT_ORIGIN must be an origin only/,
    );
  });
});
