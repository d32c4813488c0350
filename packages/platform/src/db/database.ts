import { setTimeout as delay } from 'node:timers/promises';
import { type Dialect, type IsolationLevel, Kysely, sql, type Transaction } from 'kysely';
import { connectionScope, NESTED_USE, ScopeCheckingDriver } from './transaction-scope.ts';

/** Kysely's type for a database whose tables the caller declares with `Database.as<Tables>()`. */
// biome-ignore lint/suspicious/noExplicitAny: the untyped view; modules narrow it with `as<Tables>()`.
export type AnyTables = any;

/**
 * Any module's transaction handle (the caller's own `db.transaction` callback argument): a service
 * that takes one runs its change in the caller's transaction, so it commits with the caller's own.
 */
export type AnyTransaction = Transaction<AnyTables>;

export interface TransactionOptions {
  isolation?: IsolationLevel;
  /**
   * How often to run the callback again when PostgreSQL aborts it with a serialization failure or
   * a deadlock (SQLSTATE 40001 / 40P01). Default: 4 for `serializable`, else 0. The callback must
   * then be safe to repeat (no side effects outside the transaction).
   */
  retries?: number;
}

/**
 * The database port. Every module gets one, whatever runs underneath: embedded PGlite or a
 * PostgreSQL primary with optional read replicas. Same SQL, same migrations, same behaviour.
 */
export interface Database<DB = AnyTables> {
  readonly kind: 'pglite' | 'postgres';
  /** The primary: every write, and reads that must see the caller's own writes. */
  readonly primary: Kysely<DB>;
  /** A read replica (round robin), or the primary when none is configured. May lag. */
  replica(): Kysely<DB>;
  /**
   * The one way to run a transaction. Use only `trx` inside the callback: a query on the root
   * handle from inside it throws (it would escape the transaction, or on PGlite wait forever).
   */
  transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /** Holds one connection for `fn` (session-level advisory locks, then `conn.transaction()`). */
  withConnection<T>(fn: (conn: Kysely<DB>) => Promise<T>): Promise<T>;
  /** The same database seen with the caller's table types. */
  as<T>(): Database<T>;
  /** Throws when the primary (or any replica) does not answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableTransactionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

export function createDatabase(
  kind: Database['kind'],
  primaryDialect: Dialect,
  replicaDialects: Dialect[] = [],
  onClose: () => Promise<void> = async () => {},
): Database {
  const wrap = (dialect: Dialect): Kysely<AnyTables> =>
    new Kysely<AnyTables>({
      dialect: {
        createAdapter: () => dialect.createAdapter(),
        createDriver: () => new ScopeCheckingDriver(dialect.createDriver()),
        createIntrospector: (db) => dialect.createIntrospector(db),
        createQueryCompiler: () => dialect.createQueryCompiler(),
      },
    });
  const primary = wrap(primaryDialect);
  const replicas = replicaDialects.map(wrap);
  let next = 0;
  let closed = false;

  const db: Database = {
    kind,
    primary,
    replica() {
      if (replicas.length === 0) return primary;
      next = (next + 1) % replicas.length;
      return replicas[next] ?? primary;
    },
    async transaction(fn, options = {}) {
      if (connectionScope.getStore()?.holding) throw new Error(NESTED_USE);
      const retries = options.retries ?? (options.isolation === 'serializable' ? 4 : 0);
      for (let attempt = 0; ; attempt++) {
        try {
          return await connectionScope.run({ holding: false }, () => {
            const builder = primary.transaction();
            return (options.isolation ? builder.setIsolationLevel(options.isolation) : builder).execute(fn);
          });
        } catch (err) {
          if (attempt >= retries || !isRetryableTransactionError(err)) throw err;
          // Full jitter: spread retries of colliding transactions apart.
          await delay(Math.random() * 10 * 2 ** attempt);
        }
      }
    },
    async withConnection(fn) {
      if (connectionScope.getStore()?.holding) throw new Error(NESTED_USE);
      return connectionScope.run({ holding: false }, () => primary.connection().execute(fn));
    },
    as<T>() {
      return db as unknown as Database<T>;
    },
    async ping() {
      await sql`select 1`.execute(primary);
      for (const r of replicas) await sql`select 1`.execute(r);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([primary.destroy(), ...replicas.map((r) => r.destroy())]);
      await onClose();
    },
  };
  return db;
}
