import type pg from 'pg';

/**
 * Named (server-side prepared) statements for the parameterised queries Kysely sends through a
 * pg client. node-postgres sends an unnamed statement by default, so PostgreSQL parses and plans
 * each statement on every execution; with a name, a connection parses a statement once and then
 * only binds and executes it. When it came in, with one statement a step, the parse and plan were
 * most of the database's CPU time on the checkout path. A batch's statement stays unnamed (see
 * isBatch). Neither Kysely nor pg does this by itself
 * (pg prepares only when a query is given a name), hence this small wrapper. A query without
 * parameters keeps the simple protocol, which also allows several commands in one text
 * (migrations).
 *
 * Bounded: statements longer than MAX_TEXT (bulk inserts) stay unnamed, the process names at most
 * MAX_NAMES distinct texts, and a connection prepares at most MAX_PER_CONNECTION of them; past
 * either, new ones run unnamed.
 *
 * A prepared `select *` fails with "cached plan must not change result type" once a migration
 * (of another instance, during a rolling deploy) changes the table's columns. On that error every
 * name changes (a new generation), so the next attempt prepares afresh; the error itself reaches
 * the caller, as any transient database error does.
 */
const MAX_TEXT = 4000;
const MAX_PER_CONNECTION = 2000;
const MAX_NAMES = 10_000;

let generation = 0;
const names = new Map<string, string>();

/** The text's statement name, or undefined once MAX_NAMES texts have one. */
function nameFor(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMES) {
    name = `emp${generation}_${names.size}`;
    names.set(text, name);
  }
  return name;
}

/**
 * A batch's statement reads its rows from a JSON parameter or names them in an array, so the rows it
 * touches change in number from call to call. It runs unnamed, planned for the rows it has and the
 * tables as they are now: as a named statement PostgreSQL would settle on a generic plan at its
 * sixth run (an array guessed at ten elements) and keep it until the tables are next analyzed, and a
 * plan settled while a young shop's tables were small kept scanning them whole once they had grown
 * (a batch of cart reads, 475 buffers; planned for its keys, 7). A statement of scalar parameters
 * (a read by one key) keeps its name and its generic plan: planning it at every call cost the cold
 * product page a quarter of its rate.
 */
const BATCH_TEXT = /\bjsonb_to_recordset\(|\bjsonb_array_elements\(/;
const isBatch = (text: string, values: readonly unknown[]): boolean =>
  values.some((v) => Array.isArray(v)) || BATCH_TEXT.test(text);

const isStalePlan = (err: unknown): boolean =>
  (err as { code?: string }).code === '0A000' && /cached plan/.test((err as Error).message);

/** Makes `client` run parameterised text queries as named statements (see above). */
export function usePreparedStatements(client: pg.ClientBase): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const mine = new Set<string>();
  (client as { query: unknown }).query = (...args: unknown[]) => {
    const [text, values] = args;
    if (
      typeof text !== 'string' ||
      !Array.isArray(values) ||
      values.length === 0 ||
      args.length !== 2 ||
      text.length > MAX_TEXT ||
      isBatch(text, values)
    ) {
      return query(...args);
    }
    const name = nameFor(text);
    if (name === undefined) return query(text, values);
    if (!mine.has(name)) {
      if (mine.size >= MAX_PER_CONNECTION) return query(text, values);
      mine.add(name);
    }
    return (query({ name, text, values }) as Promise<unknown>).catch((err: unknown) => {
      if (isStalePlan(err)) {
        generation++;
        names.clear();
      }
      throw err;
    });
  };
}
