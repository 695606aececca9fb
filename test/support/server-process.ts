import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

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
