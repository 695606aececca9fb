/**
 * worker_gzip_kib and worker_startup_cpu_ms (issue 14): the two limits Cloudflare holds the
 * Worker to before it serves anything.
 *
 * - Size: `wrangler deploy --dry-run --outdir <tmp>` builds exactly what `wrangler deploy` would
 *   upload; every module in it (not the source map, not wrangler's README) is concatenated and
 *   gzipped at zlib's default level, as wrangler does for its "Total Upload … gzip" line.
 *   Workers Free allows 3 MiB of that, Paid 10 MiB.
 * - Start-up: a fresh Node process imports the built bundle (the same V8 that workerd runs), and
 *   the CPU time of reading, compiling and evaluating its top level is the figure; median of
 *   RUNS processes. Cloudflare allows 1 s of start-up CPU. CPU time, not wall time, because that
 *   is what the limit counts and because these machines are shared: wall time is reported too.
 *
 *   npm run bench:worker
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { offlineEnv } from '../test/support/wrangler.js';
import { median, passes, round, type Figure } from './support/figure.js';

const RUNS = 5;
const MAX_GZIP_KIB = 3 * 1024;
const MAX_STARTUP_MS = 1_000;
const BUILD_TIMEOUT_MS = 240_000;
const IMPORT_TIMEOUT_MS = 60_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const wranglerCli = join(root, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export async function workerSize(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-worker-'));
  try {
    const out = join(dir, 'out');
    const reported = build(out, join(dir, 'logs'));
    const names = readdirSync(out).filter((name) => !name.endsWith('.map') && name !== 'README.md');
    const modules = names.map((name) => readFileSync(join(out, name)));
    const all = Buffer.concat(modules);
    const gzipKib = gzipSync(all).length / 1024;
    const main = names.includes('worker.js') ? 'worker.js' : names[0]!;

    // The bundle is an ES module: tell Node so, then import it in fresh processes.
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    const runs = Array.from({ length: RUNS }, () => importOnce(join(out, main)));
    const cpu = median(runs.map((run) => run.cpuMs));
    const wall = median(runs.map((run) => run.wallMs));

    return [
      {
        key: 'worker_gzip_kib',
        value: round(gzipKib, 1),
        unit: 'KiB',
        target: { op: '<=', value: MAX_GZIP_KIB },
        details: {
          modules: names,
          rawKib: round(all.length / 1024, 1),
          gzipLevel9Kib: round(gzipSync(all, { level: 9 }).length / 1024, 1),
          wranglerReported: reported,
          largestGzipKib: largestParts(modules[names.indexOf(main)]!.toString('utf8')),
          limits: 'Workers Free 3 MiB, Paid 10 MiB (gzipped)',
        },
      },
      {
        key: 'worker_startup_cpu_ms',
        value: Math.round(cpu),
        unit: 'ms',
        target: { op: '<=', value: MAX_STARTUP_MS },
        details: {
          runs: runs.map((run) => ({
            cpuMs: Math.round(run.cpuMs),
            wallMs: Math.round(run.wallMs),
          })),
        },
        note: 'CPU of importing the built bundle in a fresh Node process (read, compile, top level); median',
      },
      {
        key: 'worker_startup_wall_ms',
        value: Math.round(wall),
        unit: 'ms',
        note: 'wall time of the same imports: inflated when other processes share the cores',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `wrangler deploy --dry-run`: runs the [build] command and bundles, offline; returns wrangler's size line. */
function build(out: string, logDir: string): string | undefined {
  const result = spawnSync(
    process.execPath,
    [wranglerCli, 'deploy', '--dry-run', '--outdir', out],
    { cwd: root, env: offlineEnv(logDir), encoding: 'utf8', timeout: BUILD_TIMEOUT_MS },
  );
  if (result.status !== 0)
    throw new Error(
      `wrangler deploy --dry-run failed (${result.status ?? result.error?.message}):\n${result.stdout}\n${result.stderr}`,
    );
  return /Total Upload: (.*)/.exec(result.stdout)?.[1]?.trim();
}

const IMPORT_ONCE = `
const started = performance.now();
const cpu = process.cpuUsage();
await import(process.env.BUNDLE_URL);
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ wallMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }));
`;

function importOnce(file: string): { wallMs: number; cpuMs: number } {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', IMPORT_ONCE], {
    env: { ...process.env, BUNDLE_URL: pathToFileURL(file).href },
    encoding: 'utf8',
    timeout: IMPORT_TIMEOUT_MS,
  });
  if (result.status !== 0)
    throw new Error(`importing the Worker bundle failed (${result.status}):\n${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as { wallMs: number; cpuMs: number };
}

/**
 * Gzipped size of the bundle's largest parts, by package (esbuild marks where each input starts
 * with a `// node_modules/<package>/…` or `// src/…` line): what to look at when the size grows.
 */
function largestParts(bundle: string): Record<string, number> {
  const parts = new Map<string, string[]>();
  let current = '(runtime)';
  for (const line of bundle.split('\n')) {
    const marker = /^\/\/ (?:node_modules\/((?:@[^/]+\/)?[^/\s]+)|(src)\/)\S*$/.exec(line);
    if (marker) current = marker[1] ?? marker[2]!;
    let lines = parts.get(current);
    if (!lines) parts.set(current, (lines = []));
    lines.push(line);
  }
  return Object.fromEntries(
    [...parts]
      .map(([name, lines]) => [name, gzipSync(lines.join('\n')).length / 1024] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([name, kib]) => [name, round(kib, 1)]),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await workerSize();
  console.log(JSON.stringify(figures, null, 2));
  const misses = figures.filter((figure) => passes(figure) === false);
  if (misses.length > 0) {
    console.error(`MISS: ${misses.map((figure) => figure.key).join(', ')}`);
    process.exit(1);
  }
}
