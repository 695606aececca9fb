import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The compiled `parallax` command, as `npm install` leaves it (the package's bin). */
export const COMPILED_CLI = 'bin/parallax.mjs';

/**
 * Runs the `parallax` CLI with `env` and `input` on stdin: by default `src/cli/main.ts` through
 * tsx, so the tests exercise the source as it is; with `compiled`, the command a user runs
 * (bin/parallax.mjs → dist/cli/main.js; call `buildCli()` first).
 */
export function runParallax(
  args: string[],
  options: { env: Record<string, string>; input?: string | Uint8Array; compiled?: boolean },
): Promise<CliRun> {
  const entry = options.compiled ? [COMPILED_CLI] : ['--import', 'tsx', 'src/cli/main.ts'];
  const child = spawn(process.execPath, [...entry, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/**
 * Runs `npm run build` when dist/ is older than any file under src/ (or missing), so the
 * compiled CLI under test is the source's. In CI `npm ci` has just built it: nothing to do.
 */
export function buildCli(): void {
  const built = ['dist/cli/main.js', 'dist/client/index.d.ts'].map((file) =>
    existsSync(file) ? statSync(file).mtimeMs : 0,
  );
  const oldest = Math.min(...built);
  const newest = Math.max(
    ...['tsconfig.build.json', 'tsconfig.client.json', ...sourceFiles('src')].map(
      (file) => statSync(file).mtimeMs,
    ),
  );
  if (newest > oldest) execFileSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
