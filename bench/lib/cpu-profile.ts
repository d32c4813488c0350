// A CPU profile of the server while a benchmark's window runs, taken through the inspector
// protocol (the server is started with `--inspect=127.0.0.1:0`), so the profile holds only the
// measured window and not the preparation before it. Written by hand: it is four protocol calls
// over Node's own WebSocket; a CDP client library would be a dependency for that alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The inspector's WebSocket URL from the server's output ("Debugger listening on ws://…"). */
export function inspectorUrl(output: string): string {
  const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
  if (!url) throw new Error('the server printed no inspector URL (was it started with --inspect?)');
  return url;
}

/** Starts the profiler; the returned function stops it and resolves with the profile. */
export async function startCpuProfile(wsUrl: string): Promise<() => Promise<Profile>> {
  const ws = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error(`cannot reach the inspector at ${wsUrl}`)), {
      once: true,
    });
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (e) => {
    const msg = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  const call = (method: string, params: object = {}) =>
    new Promise<unknown>((resolve) => {
      const n = ++id;
      pending.set(n, resolve);
      ws.send(JSON.stringify({ id: n, method, params }));
    });
  await call('Profiler.enable');
  await call('Profiler.setSamplingInterval', { interval: 200 });
  await call('Profiler.start');
  return async () => {
    const { profile } = (await call('Profiler.stop')) as { profile: Profile };
    ws.close();
    return profile;
  };
}

/** Where a sampled CPU went: self time by function and by package or module, as Markdown. */
export function summarizeProfile(profile: Profile, perUnit: number, unit: string, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  for (const [i, sample] of profile.samples.entries()) {
    self.set(sample, (self.get(sample) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const totalUs = profile.endTime - profile.startTime;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [nodeId, us] of self) {
    const frame = byId.get(nodeId)?.callFrame;
    if (!frame) continue;
    const where = originOf(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${where}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
    byOrigin.set(where, (byOrigin.get(where) ?? 0) + us);
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, us]) =>
          `| ${((100 * us) / totalUs).toFixed(1)} % | ${(us / 1000 / perUnit).toFixed(3)} | \`${k.replaceAll('|', '\\|')}\` |`,
      );
  return [
    `Profiled ${(totalUs / 1e6).toFixed(1)} s of the server's main thread.`,
    '',
    `| share | ms ${unit} | where (self time) |`,
    '|---:|---:|---|',
    ...rows(byOrigin, 25),
    '',
    `| share | ms ${unit} | function (self time) |`,
    '|---:|---:|---|',
    ...rows(byFunction, top),
  ].join('\n');
}

/** A package name, a module of this repository, or what V8 calls the frame (GC, program, idle). */
function originOf(url: string): string {
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url;
  const local = /\/(modules\/[^/]+|packages\/[^/]+|apps\/[^/]+)\//.exec(url)?.[1];
  return local ?? url;
}

/** Writes the profile to `path`, making its directory if need be. */
export function writeProfile(path: string, profile: Profile): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(profile));
}
