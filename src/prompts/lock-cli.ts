import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LOCK_FILE, loadPromptFiles } from './load-node.js';
import { parsePrompt, type PromptFile } from './parse.js';
import type { PromptLock } from './registry.js';

// Publishes prompt versions: adds every version missing from `prompts/prompts.lock.json` and
// refuses to change an entry that is already there (a published version is immutable).
//
//   npx tsx src/prompts/lock-cli.ts [--check] [dir]
//
// `--check` writes nothing and exits 1 when a version is unpublished or changed (for CI).

/** What publishing would do to a lock; `updateLock` computes it without touching the disk. */
export interface LockUpdate {
  /** The lock with the new versions added, keys sorted by name then version. */
  lock: PromptLock;
  added: string[];
  /** Published versions whose file no longer matches, or is gone: nothing may be written. */
  problems: string[];
}

export async function updateLock(files: PromptFile[], lock: PromptLock): Promise<LockUpdate> {
  const prompts = await Promise.all(files.map((file) => parsePrompt(file)));
  const next: PromptLock = { ...lock };
  const added: string[] = [];
  const problems: string[] = [];
  for (const prompt of prompts) {
    const pinned = lock[prompt.ref];
    if (pinned === undefined) {
      next[prompt.ref] = prompt.sha256;
      added.push(prompt.ref);
    } else if (pinned !== prompt.sha256) {
      problems.push(
        `prompts/${prompt.name}/v${prompt.version}.md changed after publication (lock ${pinned}, file ${prompt.sha256}): ` +
          'restore it and publish the change as a new version',
      );
    }
  }
  for (const ref of Object.keys(lock)) {
    if (!prompts.some((prompt) => prompt.ref === ref))
      problems.push(`${ref} is published but its file is missing`);
  }
  return { lock: sortLock(next), added: added.sort(compareRefs), problems };
}

function sortLock(lock: PromptLock): PromptLock {
  return Object.fromEntries(Object.entries(lock).sort(([a], [b]) => compareRefs(a, b)));
}

function compareRefs(a: string, b: string): number {
  const [nameA = '', versionA = '0'] = a.split('@');
  const [nameB = '', versionB = '0'] = b.split('@');
  return nameA < nameB ? -1 : nameA > nameB ? 1 : Number(versionA) - Number(versionB);
}

async function main(args: string[]): Promise<number> {
  const check = args.includes('--check');
  const dir = args.find((arg) => !arg.startsWith('--')) ?? 'prompts';
  const { files, lock } = await loadPromptFiles(dir);
  const update = await updateLock(files, lock);
  for (const problem of update.problems) console.error(`error: ${problem}`);
  if (update.problems.length > 0) return 1;
  if (update.added.length === 0) {
    console.log(`${join(dir, LOCK_FILE)}: every version is published`);
    return 0;
  }
  if (check) {
    console.error(
      `error: not published yet: ${update.added.join(', ')} (run npm run prompts:lock)`,
    );
    return 1;
  }
  await writeFile(join(dir, LOCK_FILE), `${JSON.stringify(update.lock, null, 2)}\n`);
  console.log(`${join(dir, LOCK_FILE)}: published ${update.added.join(', ')}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    },
  );
}
