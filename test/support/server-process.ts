import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';

export interface ServerProcess {
  process: ChildProcess;
  /** Base URL, read from the server's "parallax listening" log line. */
  url: string;
}

/**
 * Starts a real Parallax server as a child process (`node --import tsx <args>`, e.g.
 * `['src/node.ts']` with PORT=0, or `['src/cli/main.ts', 'serve', '--port', '0']`) and resolves
 * once it logs that it listens. LOG_LEVEL is forced to info: that line is how the URL is known.
 */
export function spawnServer(args: string[], env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start')), 20_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    lines.on('line', (line) => {
      const url = /"message":"parallax listening".*"url":"([^"]+)"/.exec(line)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ process: child, url });
      }
    });
  });
}

/**
 * For a test file: a real server (`src/node.ts`, offline analyst) on a fresh SQLite file in a
 * temporary folder, started before the file's tests and stopped (folder removed) after. Read
 * `ctx.server` inside tests; `ctx.log()` is everything it has written to stdout.
 */
export function useServerProcess(env: Record<string, string> = {}): {
  server: ServerProcess;
  log: () => string;
} {
  const ctx = { server: undefined as unknown as ServerProcess, log: () => output };
  let dir = '';
  let output = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallax-server-'));
    ctx.server = await spawnServer(['src/node.ts'], {
      PORT: '0',
      DATABASE_PATH: join(dir, 'test.sqlite'),
      LLM_PROVIDER: 'local',
      ...env,
    });
    ctx.server.process.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  }, 30_000);
  afterAll(() => {
    ctx.server?.process.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return ctx;
}
