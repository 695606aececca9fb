import { readFile, writeFile } from 'node:fs/promises';

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
