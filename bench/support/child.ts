import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** A server running in its own Node process, so the load generator does not share its event loop. */
export interface ChildServer {
  url: string;
  pid: number;
  /** Resident set size of the child now, in MB (from /proc, Linux). */
  rssMb(): number;
  stop(): Promise<void>;
}

export interface ChildOptions {
  timeoutMs?: number;
  /** Run the child on this CPU only (Linux `taskset`), so that it and the load generator each have a core. */
  cpu?: number;
}

/**
 * Starts `node --import tsx <script>` and resolves once it prints a loopback URL (the Parallax
 * entry point logs one on `parallax listening`; the bare server prints one). Bounded: gives up
 * after `timeoutMs`.
 *
 * The child writes stdout and stderr to a file, not to a pipe: under load the server logs a line
 * per request, and reading those lines would cost this process (the load generator) CPU that the
 * bare server's run does not pay, skewing the ratio against the server.
 */
export function startChild(script: string, env: Record<string, string>, options: ChildOptions = {}): Promise<ChildServer> {
  const { timeoutMs = 30_000, cpu } = options;
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-child-'));
  const logPath = join(dir, 'output.log');
  const log = openSync(logPath, 'w');
  const node = [process.execPath, '--import', 'tsx', script];
  const command = cpu !== undefined && canPin() ? ['taskset', '-c', String(cpu), ...node] : node;
  const child: ChildProcess = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', log, log] });
  closeSync(log);
  const output = () => readFileSync(logPath, 'utf8').slice(0, 100_000);
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });

  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      clearInterval(poll);
      clearTimeout(timer);
      cleanUp();
      reject(error);
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      fail(new Error(`${script} did not start within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    const onExit = (code: number | null) => fail(new Error(`${script} exited with ${code}:\n${output()}`));
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output());
      if (!match || !child.pid) return;
      clearInterval(poll);
      clearTimeout(timer);
      child.removeListener('exit', onExit);
      const pid = child.pid;
      resolve({
        url: `http://127.0.0.1:${match[1]}`,
        pid,
        rssMb: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024,
        stop: () =>
          new Promise<void>((done) => {
            const finish = () => {
              cleanUp();
              done();
            };
            if (child.exitCode !== null || child.signalCode !== null) return finish();
            const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(kill);
              finish();
            });
            child.kill('SIGTERM');
          }),
      });
    }, 25);
  });
}

/**
 * Pins this process (all its threads) to `cpu` for the duration of `work`, then lets it run
 * anywhere again. Without `taskset` or with one core, `work` runs unpinned.
 */
export async function pinnedTo<T>(cpu: number, work: () => Promise<T>): Promise<T> {
  if (!canPin()) return work();
  const all = `0-${cpus().length - 1}`;
  spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  try {
    return await work();
  } finally {
    spawnSync('taskset', ['-a', '-p', '-c', all, String(process.pid)], { stdio: 'ignore' });
  }
}

let pinnable: boolean | undefined;
/** Whether CPU pinning is possible here: Linux `taskset` present and at least two cores. */
export function canPin(): boolean {
  pinnable ??= cpus().length >= 2 && spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
  return pinnable;
}
