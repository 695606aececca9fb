import { z } from 'zod';
import { AppError } from '../errors.js';
import { parsePrompt, type PromptFile } from './parse.js';
import type { Prompt } from './prompt.js';

/**
 * `prompts/prompts.lock.json`: the sha256 of every published version, keyed by ref (`brief@1`).
 * A published version is immutable; a changed prompt is published as a new version.
 */
export const PromptLock = z
  .record(z.string(), z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex digest'))
  .superRefine((lock, context) => {
    for (const key of Object.keys(lock)) {
      if (!/^[a-z][a-z0-9-]*@[1-9][0-9]*$/.test(key)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: 'keys must be refs such as "brief@1"',
        });
      }
    }
  });

/** One line per problem, naming the entry: `"brief@1": must be a sha256 hex digest`. */
export function lockProblems(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) =>
        `${issue.path.map((key) => JSON.stringify(String(key))).join('.')}: ${issue.message}`,
    )
    .join('; ');
}
export type PromptLock = z.infer<typeof PromptLock>;

/** The prompt versions a process serves. Built once at start; read-only afterwards. */
export interface PromptRegistry {
  /** Every version, sorted by name, then version. */
  list(): Prompt[];
  /**
   * `name@N`, `name@latest` or a bare `name` (= latest, the highest N).
   * @throws AppError `unknown_prompt` for a malformed ref or one that names no version.
   */
  resolve(ref: string): Prompt;
  /** Whether this exact version is pinned in the lock file (a draft is not). */
  published(prompt: Prompt): boolean;
}

const REF = /^([a-z][a-z0-9-]*)(?:@(latest|[1-9][0-9]*))?$/;

/**
 * Parses every file and checks it against the lock. A locked version whose file changed or
 * disappeared stops the process: briefs already stored name it, and must keep meaning it.
 */
export async function createPromptRegistry(
  files: PromptFile[],
  lock: Record<string, string>,
): Promise<PromptRegistry> {
  const pins = PromptLock.safeParse(lock);
  if (!pins.success) throw new Error(`prompts.lock.json: ${lockProblems(pins.error)}`);
  const prompts = await Promise.all(files.map((file) => parsePrompt(file)));
  prompts.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.version - b.version));

  const byRef = new Map<string, Prompt>();
  for (const prompt of prompts) {
    if (byRef.has(prompt.ref)) throw new Error(`${prompt.ref} is defined twice`);
    byRef.set(prompt.ref, prompt);
  }

  for (const [ref, sha256] of Object.entries(pins.data)) {
    const prompt = byRef.get(ref);
    const [name, version] = ref.split('@');
    const path = `prompts/${name}/v${version}.md`;
    if (!prompt)
      throw new Error(`${path} is missing but ${ref} is published in the lock: restore the file`);
    if (prompt.sha256 !== sha256) {
      throw new Error(
        `${path} changed after publication (lock ${sha256}, file ${prompt.sha256}): publish a new version instead`,
      );
    }
  }

  const versions = (name: string) => prompts.filter((prompt) => prompt.name === name);
  const available = () => prompts.map((prompt) => prompt.ref);

  return {
    list: () => [...prompts],
    published: (prompt) => pins.data[prompt.ref] === prompt.sha256,
    resolve(ref) {
      const shown = JSON.stringify(ref.length > 100 ? `${ref.slice(0, 100)}…` : ref);
      const match = REF.exec(ref);
      if (!match) {
        throw new AppError(
          'unknown_prompt',
          `Malformed prompt ref ${shown}: use name, name@N or name@latest (available: ${available().join(', ') || 'none'})`,
          {
            ref,
            available: available(),
          },
        );
      }
      const [, name, version = 'latest'] = match;
      const candidates = versions(name!);
      if (candidates.length === 0) {
        throw new AppError(
          'unknown_prompt',
          `Unknown prompt ${shown}: no prompt is named "${name}" (available: ${available().join(', ') || 'none'})`,
          {
            ref,
            available: available(),
          },
        );
      }
      const found =
        version === 'latest'
          ? candidates.at(-1)
          : candidates.find((p) => p.version === Number(version));
      if (!found) {
        const refs = candidates.map((p) => p.ref);
        throw new AppError(
          'unknown_prompt',
          `Unknown prompt ${shown}: "${name}" has versions ${refs.join(', ')}`,
          {
            ref,
            available: refs,
          },
        );
      }
      return found;
    },
  };
}
