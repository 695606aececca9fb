import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The resident set size of process `pid` now, in MB (from /proc, Linux). */
export function rssMbOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

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
  /** Run the child on this CPU only (Linux `taskset`; one of `cpuPair()`), so that it and the load generator each have a core. */
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
export function startChild(
  script: string,
  env: Record<string, string>,
  options: ChildOptions = {},
): Promise<ChildServer> {
  const { timeoutMs = 30_000, cpu } = options;
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-child-'));
  const logPath = join(dir, 'output.log');
  const log = openSync(logPath, 'w');
  const node = [process.execPath, '--import', 'tsx', script];
  const command = cpu !== undefined && cpuPair() ? ['taskset', '-c', String(cpu), ...node] : node;
  const child: ChildProcess = spawn(command[0]!, command.slice(1), {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, log],
  });
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
    const onExit = (code: number | null) =>
      fail(new Error(`${script} exited with ${code}:\n${output()}`));
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
        rssMb: () => rssMbOf(pid),
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
 * Two CPUs this process may run on (from /proc/self/status, so a container's cpuset is
 * respected): one for the load generator, one for the servers. Undefined without `taskset` or
 * with fewer than two; then nothing is pinned.
 */
export function cpuPair(): [load: number, server: number] | undefined {
  if (pair === null) {
    const allowed = allowedCpus();
    const hasTaskset =
      spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;
    pair = hasTaskset && allowed.length >= 2 ? [allowed[0]!, allowed[1]!] : undefined;
  }
  return pair;
}
let pair: [number, number] | undefined | null = null;

/** Pins this process (all its threads) to `cpu` for the duration of `work`, then back to every CPU it was allowed. */
export async function pinnedTo<T>(cpu: number | undefined, work: () => Promise<T>): Promise<T> {
  if (cpu === undefined) return work();
  const before = allowedCpus().join(',');
  spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], { stdio: 'ignore' });
  try {
    return await work();
  } finally {
    spawnSync('taskset', ['-a', '-p', '-c', before, String(process.pid)], { stdio: 'ignore' });
  }
}

/** The CPUs the kernel lets this process use (`Cpus_allowed_list`); every CPU where /proc is not there. */
function allowedCpus(): number[] {
  let list: string | undefined;
  try {
    list = /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    list = undefined;
  }
  if (!list) return cpus().map((_, index) => index);
  return list.split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number) as [number, number?];
    return Array.from({ length: to! - from + 1 }, (_, i) => from + i);
  });
}
