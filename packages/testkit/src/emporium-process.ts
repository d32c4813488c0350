import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The real CLI, as `npx emporium` runs it: tests start the monolith exactly as shipped. */
export const emporiumCli = fileURLToPath(new URL('../../../apps/server/bin/emporium.js', import.meta.url));

/**
 * Environment for a child CLI: this process's, minus anything that would pick another mode
 * (a database, Redis, NATS, a port), plus `extra`. No demo catalog unless asked for.
 */
export function emporiumEnv(extra: Record<string, string>, logLevel = 'warn'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: logLevel, EMPORIUM_DEMO: '0' };
  for (const name of ['DATABASE_URL', 'DATABASE_REPLICA_URLS', 'REDIS_URL', 'NATS_URL', 'PORT', 'HOST'])
    delete env[name];
  return { ...env, ...extra };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `emporium ARGS` to completion on the project's Node; `input` goes to its standard input. */
export function runEmporium(args: string[], env: Record<string, string>, input?: string): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [emporiumCli, ...args],
      { env: emporiumEnv(env, env.LOG_LEVEL) },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface EmporiumProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the process wrote to stdout and stderr (its logs). */
  output(): string;
  /** Resolves with the exit code, or the signal that ended it. */
  exited: Promise<number | NodeJS.Signals | null>;
  /** SIGTERM (unless it already ended), then waits for the exit. */
  stop(): Promise<number | NodeJS.Signals | null>;
}

/** Starts `emporium start` on a free loopback port and resolves once it says it is ready. */
export async function startEmporium(env: Record<string, string>): Promise<EmporiumProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [emporiumCli, 'start'], {
    env: emporiumEnv({ ...env, PORT: String(port) }, env.LOG_LEVEL),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const collect = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  await new Promise<void>((resolve, reject) => {
    const onData = () => {
      if (out.includes('Emporium is ready')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`emporium start exited with ${code}:\n${out}`)));
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
