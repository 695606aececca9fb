import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const wranglerCli = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');
const workerdCli = join(root, 'node_modules', '.bin', 'workerd');

/**
 * Why workerd cannot run on this machine, or null when it can. Only this is a reason to skip
 * the Worker tests: anything else that goes wrong (migrations, startup, a request) fails them.
 */
export function workerdUnavailable(): string | null {
  const result = spawnSync(workerdCli, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) return `cannot run ${workerdCli}: ${result.error.message}`;
  if (result.status !== 0)
    return `${workerdCli} --version exited ${result.status}: ${(result.stderr || result.stdout).trim()}`;
  return null;
}

/** Environment for wrangler: no account, no telemetry, no update check, no fetch of Request.cf. */
export function offlineEnv(logDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    // The banner is also what runs wrangler's npm update check.
    WRANGLER_HIDE_BANNER: 'true',
    // Otherwise miniflare downloads https://workers.cloudflare.com/cf.json for request.cf.
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    WRANGLER_LOG_PATH: logDir,
    NO_COLOR: '1',
    FORCE_COLOR: '0',
    CI: 'true',
  };
  for (const name of [
    'CLOUDFLARE_API_TOKEN',
    'CLOUDFLARE_API_KEY',
    'CLOUDFLARE_EMAIL',
    'CLOUDFLARE_ACCOUNT_ID',
  ])
    delete env[name];
  return env;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * A local D1 (and queue, cron) state folder: `wrangler d1 migrations apply --local` run on it
 * once. Several `wrangler dev` processes may share one, one after another (a restart) or side
 * by side (two isolates of one deployment); workerd keeps D1 in SQLite, in WAL mode.
 */
export interface LocalState {
  /** The `--persist-to` folder. */
  persist: string;
  /** The D1 database's SQLite file, for a test to read what the Worker wrote. */
  d1File(): string;
  remove(): void;
}

export function createLocalState(options: { startupMs: number }): LocalState {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-worker-'));
  const persist = join(dir, 'state');
  const migrate = spawnSync(
    process.execPath,
    [wranglerCli, 'd1', 'migrations', 'apply', 'parallax', '--local', '--persist-to', persist],
    {
      cwd: root,
      env: offlineEnv(join(dir, 'logs')),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.startupMs,
    },
  );
  if (migrate.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `wrangler d1 migrations apply failed (${migrate.status ?? migrate.error?.message}):\n${migrate.stdout}\n${migrate.stderr}`,
    );
  }
  return {
    persist,
    d1File() {
      const folder = join(persist, 'v3', 'd1', 'miniflare-D1DatabaseObject');
      const file = readdirSync(folder).find((name) => name.endsWith('.sqlite'));
      if (!file) throw new Error(`no D1 SQLite file in ${folder}`);
      return join(folder, file);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface LocalWorker {
  url: string;
  /** Everything wrangler printed, for failure messages. */
  output(): string;
  /** Ends wrangler and workerd at once (SIGKILL to the process group), as a crash would; the state stays. */
  kill(): Promise<void>;
  /** Stops wrangler and workerd (the whole process group); removes the state folder if this worker made it. */
  close(): Promise<void>;
}

export interface LocalWorkerOptions {
  startupMs: number;
  /** A state folder to run on (not removed by close()); a fresh one of its own when absent. */
  state?: LocalState;
  /** `--var NAME:value` for each: settings over wrangler.toml's [vars]. */
  vars?: Record<string, string>;
  /** `--test-scheduled`: GET /__scheduled runs the cron trigger. */
  testScheduled?: boolean;
}

/**
 * `wrangler dev --local` on a free port, on `options.state` or on a fresh migrated state folder;
 * resolves once GET /healthz answers 200.
 */
export async function startLocalWorker(options: LocalWorkerOptions): Promise<LocalWorker> {
  const state = options.state ?? createLocalState(options);
  const env = offlineEnv(join(state.persist, '..', 'logs'));
  const port = await freePort();
  const inspectorPort = await freePort();
  let output = '';
  // Its own process group, so close() reaches workerd and the build command too.
  const child: ChildProcess = spawn(
    process.execPath,
    [
      wranglerCli,
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      state.persist,
      '--show-interactive-dev-session=false',
      '--log-level',
      'info',
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => [
        '--var',
        `${name}:${value}`,
      ]),
      ...(options.testScheduled ? ['--test-scheduled'] : []),
    ],
    { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const kill = async () => {
    signalGroup(child, 'SIGKILL');
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    signalGroup(child, 'SIGKILL'); // workerd may outlive wrangler
    if (!options.state) state.remove();
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + options.startupMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      if (response.status === 200) return { url, output: () => output, kill, close };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await close();
  throw new Error(
    `wrangler dev did not answer /healthz within ${options.startupMs} ms (exit ${child.exitCode}):\n${output}`,
  );
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
