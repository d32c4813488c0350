import pg from 'pg';

export interface WaitShare {
  /** `state | wait_event_type | wait_event` of a backend (e.g. `idle in transaction | Client | ClientRead`). */
  what: string;
  /** Backends in that state on average over the window (samples in it ÷ samples taken). */
  backends: number;
}

/**
 * Samples what the database's backends are doing (pg_stat_activity) every `everyMs` over one
 * connection, until the returned function is called: then answers how many backends were, on
 * average, in each state. Tells where a request's time inside PostgreSQL went: executing
 * (`active`), waiting on a lock or on the WAL (`active | Lock …`, `active | LWLock …`), or waiting
 * for the application's next statement inside an open transaction (`idle in transaction | Client |
 * ClientRead`: the time is on the server's side).
 */
export async function sampleWaits(
  url: string,
  database: string,
  everyMs = 20,
): Promise<() => Promise<WaitShare[]>> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-wait-sampler' });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ what: string }>(
        `select state || ' | ' || coalesce(wait_event_type, '-') || ' | ' || coalesce(wait_event, '-') as what
           from pg_stat_activity
          where datname = $1 and pid <> pg_backend_pid() and backend_type = 'client backend'`,
        [database],
      );
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
    await client.end();
    return [...counts]
      .map(([what, n]) => ({ what, backends: n / Math.max(1, samples) }))
      .sort((a, b) => b.backends - a.backends);
  };
}
