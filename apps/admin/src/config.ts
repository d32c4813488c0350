import { ConfigError, settings } from '@emporium/platform';

/** The dashboard's settings, read once at start-up (README, configuration). */
export interface AdminConfig {
  /** Call the API over HTTP at this origin instead of in-process (a separately deployed dashboard). */
  readonly apiUrl: string | undefined;
  /**
   * The origin staff reach the dashboard at (its OAuth redirect URI is `<publicUrl>/admin/ui/callback`).
   * Undefined: `http://HOST:PORT` of the platform's listener.
   */
  readonly publicUrl: string | undefined;
  /** The dashboard's OAuth 2.0 client id at the identity provider (authorization code + PKCE). */
  readonly oidcClientId: string;
  /** Minutes without a request after which a staff session ends (the issue: 15). */
  readonly idleMinutes: number;
}

const spec = {
  ADMIN_API_URL: settings.url(['http', 'https']),
  ADMIN_PUBLIC_URL: settings.url(['http', 'https']),
  ADMIN_OIDC_CLIENT_ID: settings.text({
    default: 'emporium-admin',
    pattern: /^[\w.:-]{1,100}$/,
    describe: 'letters, digits and .:-_',
  }),
  ADMIN_IDLE_MINUTES: settings.integer({ min: 1, max: 15, default: 15 }),
};

/** Throws a ConfigError naming every bad variable (the CLI prints it as one line). */
export function loadAdminConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
): AdminConfig {
  const r = settings.readSettings(spec, env);
  if ('problems' in r) throw new ConfigError(r.problems);
  const c = r.config;
  let publicUrl: string | undefined;
  if (c.ADMIN_PUBLIC_URL) {
    const u = new URL(c.ADMIN_PUBLIC_URL);
    if (u.pathname !== '/' || u.search || u.hash) {
      throw new ConfigError([
        'ADMIN_PUBLIC_URL must be an origin only (scheme, host and port), without a path',
      ]);
    }
    publicUrl = u.origin;
  }
  return Object.freeze({
    apiUrl: c.ADMIN_API_URL,
    publicUrl,
    oidcClientId: c.ADMIN_OIDC_CLIENT_ID,
    idleMinutes: c.ADMIN_IDLE_MINUTES,
  });
}
