import { createTwoFilesPatch, diffLines } from 'diff';
import type { DiffPart } from '../compare/compare.js';
import type { Prompt } from './prompt.js';

/** What changed from one prompt version to another: its params, and its text line by line. */
export function diffPrompts(
  a: Prompt,
  b: Prompt,
): { paramsChanged: string[]; parts: DiffPart[]; unified: string } {
  const params = (prompt: Prompt, key: string) =>
    JSON.stringify(prompt.params[key as keyof Prompt['params']]);
  return {
    paramsChanged: Object.keys({ ...a.params, ...b.params }).filter(
      (key) => params(a, key) !== params(b, key),
    ),
    parts: diffLines(a.source, b.source).map((part) => ({
      type: part.added ? 'added' : part.removed ? 'removed' : 'equal',
      text: part.value,
    })),
    unified: createTwoFilesPatch(
      `prompts/${a.name}/v${a.version}.md`,
      `prompts/${b.name}/v${b.version}.md`,
      a.source,
      b.source,
    ),
  };
}
