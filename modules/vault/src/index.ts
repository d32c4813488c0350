import type { Clock, Database, EmporiumModule, Logger, ModulePorts, SecretStore } from '@emporium/platform';
import type { Acquirer } from './acquirer/acquirer.ts';
import { createTestAcquirer } from './acquirer/test-acquirer.ts';
import { createCvcStore } from './cards/cvc-store.ts';
import type { VaultService } from './contract/index.ts';
import type { VaultTables } from './db/tables.ts';
import { registerCardField } from './http/card-field.ts';
import { registerTokenRoutes } from './http/token-routes.ts';
import { assertKeysOpenVault } from './keys/fingerprint-key.ts';
import { type KeyRing, openKeyRing } from './keys/key-ring.ts';
import { type RotationReport, rotateKeys } from './keys/rotate-keys.ts';
import { countStaleCards, createVaultService } from './service/vault-service.ts';
import type { VaultContext } from './vault-context.ts';

export type { Acquirer, AcquirerCard } from './acquirer/acquirer.ts';
export { createTestAcquirer, testCards } from './acquirer/test-acquirer.ts';
export { vaultErrorCodes } from './errors.ts';
export { fileKeyRing, type KeyRing, memoryKeyRing, openKeyRing, secretsKeyRing } from './keys/key-ring.ts';
export type { RotationReport } from './keys/rotate-keys.ts';
export { loadVaultSettings, type VaultSettings } from './settings.ts';
export { vaultMigrations } from './vault-migrations.ts';

export interface VaultOptions {
  /** The key-encryption keys. Default: openKeyRing (VAULT_KEK from the secrets port, else a keyring file in embedded mode). */
  keyRing?: KeyRing;
  /** Origins that may frame the card field and receive its tokens. Default: the server's own origin. */
  allowedOrigins?: readonly string[];
  /** The processor behind the vault. Default: the built-in test processor. */
  acquirer?: Acquirer;
  /** Latency of the built-in test processor per call. Default 0 (the server passes its setting, 150 ms by default). */
  testProcessorLatencyMs?: number;
  /** How long a CVC is held in memory at most. Default 10 minutes. */
  cvcTtlMs?: number;
  /** How long an unsaved token can be used. Default 24 hours. */
  tokenTtlMs?: number;
}

export type VaultModule = EmporiumModule & {
  service: VaultService;
  /**
   * Makes a new KEK current when the keyring can make one (embedded keyring file), then re-wraps
   * every data key under the current KEK in batches (see rotateKeys). Safe to run again.
   */
  rotateKey(options?: {
    newKey?: boolean;
    batchSize?: number;
    onProgress?: (done: number) => void;
  }): Promise<RotationReport>;
  /** Cards whose data key is not yet wrapped under the current KEK. */
  staleCards(): Promise<number>;
};

/**
 * The vault: the card data environment. `POST /vault/tokens` and the hosted card form
 * `GET /vault/card-field`; `service` (VaultService) for payments, the only caller that gets a
 * card forwarded to the processor. Its migrations are `vaultMigrations`.
 *
 * @example
 * const vault = createVaultModule(ports, loadVaultSettings(process.env, ports.config));
 * const payments = createPaymentsModule(ports, { vault: vault.service });
 */
export function createVaultModule(ports: ModulePorts, options: VaultOptions = {}): VaultModule {
  const db = ports.db.as<VaultTables>();
  const keys =
    options.keyRing ??
    openKeyRing({
      secrets: ports.secrets,
      dataDir: ports.config.dataDir,
      embedded: ports.db.kind === 'pglite',
    });
  const cvcs = createCvcStore(ports.clock, options.cvcTtlMs ?? 10 * 60_000);
  const ctx: VaultContext = {
    db,
    clock: ports.clock,
    keys,
    cvcs,
    acquirer: options.acquirer ?? createTestAcquirer(db, ports.clock, options.testProcessorLatencyMs ?? 0),
    logger: ports.logger,
    tokenTtlMs: options.tokenTtlMs ?? 24 * 3_600_000,
    nudge: () => ports.bus.nudge(),
  };
  const service = createVaultService(ctx);
  const allowedOrigins = options.allowedOrigins ?? [`http://${ports.config.host}:${ports.config.port}`];
  let sweep: NodeJS.Timeout | undefined;
  return {
    name: 'vault',
    service,
    async rotateKey(o = {}) {
      // A run that stopped half-way is resumed under the same key; a finished one starts a new rotation.
      const resume = (await countStaleCards(ctx)) > 0;
      if (o.newKey ?? (keys.source !== 'secrets' && !resume)) keys.addKey();
      return rotateKeys(ctx, {
        ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
        ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }),
      });
    },
    staleCards: () => countStaleCards(ctx),
    async registerRoutes(app) {
      registerTokenRoutes(app, service);
      registerCardField(app, allowedOrigins);
    },
    async start() {
      await assertKeysOpenVault(ctx);
      sweep = setInterval(() => cvcs.sweep(), 30_000);
      sweep.unref();
    },
    async stop() {
      clearInterval(sweep);
    },
  };
}

/**
 * `emporium vault rotate-key` outside a running server: opens the keyring (`VAULT_KEK` and
 * `VAULT_KEK_PREVIOUS` from the secret store, or the embedded keyring file, where a new KEK is
 * made unless a previous run is being resumed) and re-wraps every data key under the current KEK.
 * With PostgreSQL the shop keeps running meanwhile (its processes must already hold the new
 * `VAULT_KEK`, with the old one in `VAULT_KEK_PREVIOUS`).
 */
export async function rotateVaultKey(
  deps: { db: Database; secrets: SecretStore; dataDir: string; clock: Clock; logger: Logger },
  options: { batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<RotationReport & { source: KeyRing['source'] }> {
  const db = deps.db.as<VaultTables>();
  const keys = openKeyRing({
    secrets: deps.secrets,
    dataDir: deps.dataDir,
    embedded: deps.db.kind === 'pglite',
  });
  const ctx: VaultContext = {
    db,
    clock: deps.clock,
    keys,
    cvcs: createCvcStore(deps.clock, 1),
    acquirer: createTestAcquirer(db, deps.clock, 0),
    logger: deps.logger,
    tokenTtlMs: 0,
    nudge: () => {},
  };
  if (keys.source !== 'secrets' && (await countStaleCards(ctx)) === 0) keys.addKey();
  return { ...(await rotateKeys(ctx, options)), source: keys.source };
}
