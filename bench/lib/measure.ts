import autocannon from 'autocannon';

export interface Measurement {
  name: string;
  url: string;
  connections: number;
  requests: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  /** Mean latency in ms, to 0.01 ms (the percentiles are whole milliseconds). */
  mean: number;
  errors: number;
  non2xx: number;
}

export interface MeasureOptions {
  connections?: number;
  durationSeconds?: number;
  headers?: Record<string, string>;
  /** Several URLs to rotate through (e.g. different products), instead of one. */
  paths?: string[];
  /** A path chosen afresh for every request (e.g. random queries no cache has seen). */
  pathFor?: () => string;
}

/** Runs autocannon against `url` (bounded in time) and returns req/s and latency percentiles in ms. */
export async function measure(name: string, url: string, options: MeasureOptions = {}): Promise<Measurement> {
  const connections = options.connections ?? 32;
  const origin = new URL(url).origin;
  const pathFor = options.pathFor;
  const requests = pathFor
    ? [{ method: 'GET' as const, setupRequest: (req: object) => ({ ...req, path: pathFor() }) }]
    : options.paths?.map((path) => ({ method: 'GET' as const, path }));
  const result = await autocannon({
    url: requests ? origin : url,
    connections,
    duration: options.durationSeconds ?? 10,
    headers: options.headers ?? {},
    ...(requests ? { requests } : {}),
  });
  return {
    name,
    url,
    connections,
    requests: result.requests.total,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    mean: Math.round(result.latency.average * 100) / 100,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

export function table(rows: readonly Measurement[]): string {
  const head =
    '| scenario | conns | req/s | p50 ms | p99 ms | non-2xx | errors |\n|---|---:|---:|---:|---:|---:|---:|';
  return [
    head,
    ...rows.map(
      (r) =>
        `| ${r.name} | ${r.connections} | ${r.reqPerSec} | ${r.p50} | ${r.p99} | ${r.non2xx} | ${r.errors} |`,
    ),
  ].join('\n');
}
