import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';

/**
 * Brings a committed, generated file up to date with `next`, its text as the generator makes it
 * now (src/prompts/bundled.ts, src/client/schema.ts): rewritten only when it differs. With
 * `--check` in `argv` it writes nothing and returns 1 when the file is stale, saying why (`staleBecause`).
 * @returns the process's exit code.
 */
export async function syncGeneratedFile(
  path: string,
  next: string,
  argv: readonly string[],
  staleBecause: string,
): Promise<number> {
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current === next) return 0;
  if (argv.includes('--check')) {
    console.error(`${path} ${staleBecause}`);
    return 1;
  }
  await writeFile(path, next);
  console.log(`wrote ${path}`);
  return 0;
}

/**
 * Runs a generator's `main` with the command's arguments when its module (`moduleUrl`) is the
 * script Node was started with, and exits with the code it returns (1, with the message, if it throws).
 */
export function runAsScript(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
