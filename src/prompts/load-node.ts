import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PromptFile } from './parse.js';
import { createPromptRegistry, lockProblems, PromptLock, type PromptRegistry } from './registry.js';

/** The lock file, inside the prompts folder. */
export const LOCK_FILE = 'prompts.lock.json';

/**
 * Reads `<dir>/<name>/*.md` and `<dir>/prompts.lock.json` (Node only; on Workers the same files
 * are bundled at build time and passed to `createPromptRegistry`). Paths are reported as
 * `prompts/<name>/<file>` whatever `dir` is, since that is how prompt files are named. Every
 * `.md` file under a prompt folder is returned, so a misnamed version (`v01.md`) fails to
 * parse instead of being silently skipped. A missing lock file means nothing is published yet.
 */
export async function loadPromptFiles(
  dir = 'prompts',
): Promise<{ files: PromptFile[]; lock: PromptLock }> {
  const files: PromptFile[] = [];
  for (const folder of await readdir(dir, { withFileTypes: true })) {
    if (!folder.isDirectory() || folder.name.startsWith('.')) continue;
    for (const entry of await readdir(join(dir, folder.name), { withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
      const source = await readFile(join(dir, folder.name, entry.name), 'utf8');
      files.push({ path: `prompts/${folder.name}/${entry.name}`, source });
    }
  }
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { files, lock: await readLock(join(dir, LOCK_FILE)) };
}

/** Loads and checks every prompt version under `dir` (see `createPromptRegistry`). */
export async function loadPromptRegistry(dir = 'prompts'): Promise<PromptRegistry> {
  const { files, lock } = await loadPromptFiles(dir);
  return createPromptRegistry(files, lock);
}

async function readLock(path: string): Promise<PromptLock> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path}: not valid JSON: ${(error as Error).message}`);
  }
  const lock = PromptLock.safeParse(data);
  if (!lock.success) throw new Error(`${path}: ${lockProblems(lock.error)}`);
  return lock.data;
}
