// Measures how long `emporium start` takes to answer /healthz: cold (a new data directory, so
// PGlite initialises) and warm (the same directory again). Usage: npm run bench:startup
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../apps/server/bin/emporium.js', import.meta.url));
const runs = Number(process.env.RUNS ?? 3);

async function timeToHealthy(dataDir: string, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, 'start'], {
    env: { ...process.env, EMPORIUM_DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: 'ignore',
  });
  try {
    for (;;) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (r.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
      if (performance.now() - started > 120_000) throw new Error('no answer within 120 s');
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = mkdtempSync(join(tmpdir(), 'emporium-startup-'));
  try {
    cold.push(await timeToHealthy(dir, 3900 + i));
    warm.push(await timeToHealthy(dir, 3950 + i));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const fmt = (xs: number[]) =>
  `${xs.map((x) => Math.round(x)).join(', ')} ms (median ${Math.round([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0)} ms)`;
console.log(`emporium start → /healthz 200, ${runs} runs each`);
console.log(`cold (new data directory): ${fmt(cold)}`);
console.log(`warm (existing directory): ${fmt(warm)}`);
