/**
 * A dependency the process needs to serve traffic (database, Redis, NATS, …). `check` resolves when
 * the dependency answers and rejects (or hangs) when it does not.
 *
 * @example { name: 'database', check: async () => { await sql`select 1`.execute(db.primary); } }
 */
export interface ReadinessCheck {
  /** Shown in `/readyz` responses; a plain name such as `database`, never a URL. */
  name: string;
  check(): Promise<void>;
}

export type CheckOutcome = 'ok' | 'failed' | 'timed_out';

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckOutcome>;
  /** Why each failed check failed, for the logs only. */
  failures: { name: string; error: unknown }[];
}

/** Runs every check at once, each bounded by `timeoutMs`, and reports which dependencies answered. */
export async function checkReadiness(
  checks: readonly ReadinessCheck[],
  timeoutMs: number,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, timeoutMs)));
  const report: ReadinessReport = { ready: true, checks: {}, failures: [] };
  for (const { name, outcome, error } of results) {
    report.checks[name] = outcome;
    if (outcome !== 'ok') {
      report.ready = false;
      report.failures.push({ name, error });
    }
  }
  return report;
}

class CheckTimeout extends Error {}

async function runCheck(
  { name, check }: ReadinessCheck,
  timeoutMs: number,
): Promise<{ name: string; outcome: CheckOutcome; error?: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new CheckTimeout(`${name} did not answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    await Promise.race([Promise.resolve().then(check), timeout]);
    return { name, outcome: 'ok' };
  } catch (error) {
    return { name, outcome: error instanceof CheckTimeout ? 'timed_out' : 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}
