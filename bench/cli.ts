/**
 * cli_help_ms and cli_brief_seed_ms (issue 16): how long the `parallax` command a user runs
 * (bin/parallax.mjs → dist/cli/main.js, built first when src/ is newer) takes to print its help,
 * and to brief a seed against a running server (the offline analyst), wall time from spawn to exit.
 *
 * Medians of RUNS processes, each beside what it is compared with, measured in the same run:
 * a bare `node -e ""` (the floor no command gets under), the source through tsx (the dev path,
 * `npm run parallax:dev`) and `npx parallax` (npm's own start-up on top).
 *
 *   npm run bench:cli
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli, COMPILED_CLI } from '../test/support/cli.js';
import { startChild } from './support/child.js';
import { median, passes, round, type Figure } from './support/figure.js';

const RUNS = 5;
const MAX_HELP_MS = 500;
const SEED = 'seeds/rent-cap-speech.md';
const TIMEOUT_MS = 60_000;

/** Wall time of one process, in ms; throws when it fails. */
function timed(command: string, args: string[], env: Record<string, string> = {}): number {
  const started = performance.now();
  const run = spawnSync(command, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    timeout: TIMEOUT_MS,
  });
  const ms = performance.now() - started;
  if (run.status !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return ms;
}

/** Median wall time of RUNS runs, after one unmeasured run (the files into the page cache). */
function medianMs(command: string, args: string[], env?: Record<string, string>): number {
  timed(command, args, env);
  return round(median(Array.from({ length: RUNS }, () => timed(command, args, env))), 0);
}

export async function cliFigures(): Promise<Figure[]> {
  buildCli();
  const node = process.execPath;
  const help = medianMs(node, [COMPILED_CLI, '--help']);
  const helpDetails = {
    node_baseline_ms: medianMs(node, ['-e', '']),
    version_ms: medianMs(node, [COMPILED_CLI, '--version']),
    dev_tsx_ms: medianMs(node, ['--import', 'tsx', 'src/cli/main.ts', '--help']),
    npx_ms: medianMs('npx', ['parallax', '--help']),
  };

  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-cli-'));
  const server = await startChild('src/node.ts', {
    PORT: '0',
    LLM_PROVIDER: 'local',
    LOG_LEVEL: 'info',
    DATABASE_PATH: join(dir, 'server.sqlite'),
  });
  try {
    const brief = [COMPILED_CLI, 'brief', SEED, '--server', server.url];
    // The first brief of the seed is made now (offline analyst); the rest come from the cache.
    const made = round(timed(node, brief), 0);
    const cached = medianMs(node, brief);
    const devCached = medianMs(node, ['--import', 'tsx', 'src/cli/main.ts', ...brief.slice(1)]);
    return [
      {
        key: 'cli_help_ms',
        value: help,
        unit: 'ms',
        target: { op: '<=', value: MAX_HELP_MS },
        details: helpDetails,
      },
      {
        key: 'cli_brief_seed_ms',
        value: made,
        unit: 'ms',
        details: { seed: SEED, cached_ms: cached, dev_tsx_cached_ms: devCached },
        note: 'wall time of `parallax brief <seed> --server URL`, the brief made by the offline analyst on the server; cached_ms: the same command answered from the cache',
      },
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const figures = await cliFigures();
  console.log(JSON.stringify(figures, null, 2));
  const misses = figures.filter((figure) => passes(figure) === false);
  if (misses.length > 0) {
    console.error(`MISS: ${misses.map((figure) => figure.key).join(', ')}`);
    process.exit(1);
  }
}
