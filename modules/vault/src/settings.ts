import { ConfigError, settings } from '@emporium/platform';

/** The vault's settings, read once by the composition root (never from process.env here). */
export interface VaultSettings {
  /** Origins that may frame the card field and receive its token by postMessage. */
  allowedOrigins: readonly string[];
  /** Latency of the built-in test processor per call. */
  testProcessorLatencyMs: number;
}

const originList: settings.Reader<string[] | undefined> = (raw) => {
  if (raw === undefined || raw.trim() === '') return { value: undefined };
  const out: string[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(part);
    } catch {
      return { problem: `has an entry that is not a URL (${JSON.stringify(part.slice(0, 60))})` };
    }
    if (!['http:', 'https:'].includes(url.protocol) || url.origin !== part.replace(/\/$/, '')) {
      return {
        problem: `entries must be origins like https://shop.example.com (got ${JSON.stringify(part.slice(0, 60))})`,
      };
    }
    out.push(url.origin);
  }
  return { value: out };
};

/**
 * Reads `VAULT_ALLOWED_ORIGINS` (comma-separated origins of the shop's storefront; default: the
 * server's own origin, `http://HOST:PORT`, plus `http://localhost:PORT`) and
 * `EMPORIUM_TEST_PROCESSOR_LATENCY_MS` (0–60000, default 150). Throws a ConfigError naming each bad one.
 */
export function loadVaultSettings(
  env: Readonly<Record<string, string | undefined>>,
  server: { host: string; port: number },
): VaultSettings {
  const r = settings.readSettings(
    {
      VAULT_ALLOWED_ORIGINS: originList,
      EMPORIUM_TEST_PROCESSOR_LATENCY_MS: settings.integer({ min: 0, max: 60_000, default: 150 }),
    },
    env,
  );
  if ('problems' in r) throw new ConfigError(r.problems);
  const own = [
    `http://${server.host.includes(':') ? `[${server.host}]` : server.host}:${server.port}`,
    `http://localhost:${server.port}`,
  ];
  return Object.freeze({
    allowedOrigins: Object.freeze([...new Set(r.config.VAULT_ALLOWED_ORIGINS ?? own)]),
    testProcessorLatencyMs: r.config.EMPORIUM_TEST_PROCESSOR_LATENCY_MS,
  });
}
