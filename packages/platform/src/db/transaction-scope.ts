import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseConnection, Driver, TransactionSettings } from 'kysely';

/**
 * Tracks, per async call chain, whether that chain already holds a database connection through
 * `Database.transaction` or `Database.withConnection`. A chain that holds one and asks the root
 * handle for another is a bug: on PostgreSQL its statement silently escapes the transaction, and
 * on the embedded database (one connection) it waits forever. We fail fast instead, on both.
 */
export const connectionScope = new AsyncLocalStorage<{ holding: boolean }>();

export const NESTED_USE =
  'A query used the root database handle while this call chain holds a transaction or connection: ' +
  'use the handle passed to the callback (trx) instead.';

/** Wraps a Kysely driver so every acquisition goes through the check above. */
export class ScopeCheckingDriver implements Driver {
  readonly #inner: Driver;
  constructor(inner: Driver) {
    this.#inner = inner;
  }
  init(): Promise<void> {
    return this.#inner.init();
  }
  async acquireConnection(): Promise<DatabaseConnection> {
    const scope = connectionScope.getStore();
    if (scope?.holding) throw new Error(NESTED_USE);
    const connection = await this.#inner.acquireConnection();
    if (scope) scope.holding = true;
    return connection;
  }
  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const scope = connectionScope.getStore();
    if (scope) scope.holding = false;
    await this.#inner.releaseConnection(connection);
  }
  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#inner.beginTransaction(connection, settings);
  }
  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.commitTransaction(connection);
  }
  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#inner.rollbackTransaction(connection);
  }
  destroy(): Promise<void> {
    return this.#inner.destroy();
  }
}
