import { ConfigError, settings } from '@emporium/platform';

/** The storefront's settings, read once at start-up (API.md, configuration table). */
export interface StorefrontConfig {
  /** Call the API over HTTP at this origin instead of in-process (a separately deployed storefront). */
  readonly apiUrl: string | undefined;
  /** Origin of the vault's hosted card field; undefined means this same origin (the monolith). */
  readonly vaultOrigin: string | undefined;
  /**
   * Seals the session cookie. Undefined: a random key kept in `<data dir>/storefront/session.key`
   * (one instance); several instances must share one through this setting.
   */
  readonly sessionSecret: string | undefined;
  /** Currency of prices shown (ISO 4217, lower case). */
  readonly currency: string;
  /** The origin shoppers use (for the sign-in redirect); default `http://HOST:PORT` of the listener. */
  readonly publicUrl: string | undefined;
  /** The storefront's OAuth 2.0 client id at the identity provider (authorization code + PKCE). */
  readonly oidcClientId: string;
}

const spec = {
  STOREFRONT_API_URL: settings.url(['http', 'https']),
  STOREFRONT_VAULT_ORIGIN: settings.url(['http', 'https']),
  STOREFRONT_SESSION_SECRET: settings.text({
    default: '',
    pattern: /^[\x21-\x7e]{32,}$/,
    describe: 'at least 32 printable characters',
  }),
  STOREFRONT_PUBLIC_URL: settings.url(['http', 'https']),
  STOREFRONT_OIDC_CLIENT_ID: settings.text({
    default: 'storefront',
    pattern: /^[\w.:-]{1,100}$/,
    describe: 'letters, digits and .:-_',
  }),
  STOREFRONT_CURRENCY: settings.text({
    default: 'usd',
    pattern: /^[a-z]{3}$/,
    describe: 'an ISO 4217 code in lower case',
  }),
};

/** Throws a ConfigError naming every bad variable (the CLI prints it as one line). */
export function loadStorefrontConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): StorefrontConfig {
  const r = settings.readSettings(spec, env);
  if ('problems' in r) throw new ConfigError(r.problems);
  const c = r.config;
  const problems: string[] = [];
  let vaultOrigin: string | undefined;
  let publicUrl: string | undefined;
  if (c.STOREFRONT_PUBLIC_URL) {
    const u = new URL(c.STOREFRONT_PUBLIC_URL);
    if (u.pathname !== '/' || u.search || u.hash) {
      problems.push('STOREFRONT_PUBLIC_URL must be an origin only (scheme, host and port), without a path');
    }
    publicUrl = u.origin;
  }
  if (c.STOREFRONT_VAULT_ORIGIN) {
    const u = new URL(c.STOREFRONT_VAULT_ORIGIN);
    if (u.pathname !== '/' || u.search || u.hash) {
      problems.push('STOREFRONT_VAULT_ORIGIN must be an origin only (scheme, host and port), without a path');
    }
    vaultOrigin = u.origin;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    apiUrl: c.STOREFRONT_API_URL,
    vaultOrigin,
    sessionSecret: c.STOREFRONT_SESSION_SECRET === '' ? undefined : c.STOREFRONT_SESSION_SECRET,
    currency: c.STOREFRONT_CURRENCY,
    publicUrl,
    oidcClientId: c.STOREFRONT_OIDC_CLIENT_ID,
  });
}
