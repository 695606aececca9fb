import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** A server running in its own Node process, so the load generator does not share its event loop. */
export interface ChildServer {
  url: string;
  pid: number;
  /** Resident set size of the child now, in MB (from /proc, Linux). */
  rssMb(): number;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <script>` and resolves once it prints a loopback URL on stdout (the
 * Parallax entry point logs one on `parallax listening`; the bare server prints one). Bounded:
 * gives up after `timeoutMs`.
 */
export function startChild(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ChildServer> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let resolved = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${output}`));
    });
    // Both streams are read to the end (a full pipe would block the child); the URL may come on either.
    const onData = (data: Buffer) => {
      if (output.length < 100_000) output += data.toString();
      if (resolved) return;
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (!match || !child.pid) return;
      resolved = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const pid = child.pid;
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        pid,
        rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
  });
}
