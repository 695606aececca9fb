import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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
function offlineEnv(logDir: string): NodeJS.ProcessEnv {
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

export interface LocalWorker {
  url: string;
  /** Everything wrangler printed, for failure messages. */
  output(): string;
  /** Stops wrangler and workerd (the whole process group) and removes the local D1 files. */
  close(): Promise<void>;
}

/**
 * `wrangler d1 migrations apply --local`, then `wrangler dev --local` on a free port, both on a
 * fresh persist folder; resolves once GET /healthz answers 200.
 */
export async function startLocalWorker(options: { startupMs: number }): Promise<LocalWorker> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-worker-'));
  const persist = join(dir, 'state');
  const env = offlineEnv(join(dir, 'logs'));

  const migrate = spawnSync(
    process.execPath,
    [wranglerCli, 'd1', 'migrations', 'apply', 'parallax', '--local', '--persist-to', persist],
    {
      cwd: root,
      env,
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

  const port = await freePort();
  const inspectorPort = await freePort();
  let output = migrate.stdout;
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
      persist,
      '--show-interactive-dev-session=false',
      '--log-level',
      'info',
    ],
    { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      signalGroup(child, 'SIGTERM');
      const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    signalGroup(child, 'SIGKILL'); // workerd may outlive wrangler
    rmSync(dir, { recursive: true, force: true });
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + options.startupMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
      if (response.status === 200) return { url, output: () => output, close };
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
