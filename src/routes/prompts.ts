import { createTwoFilesPatch, diffLines } from 'diff';
import { Hono } from 'hono';
import type { PromptDetail, PromptDiff, PromptList, PromptSummary } from '../api/schemas.js';
import type { Prompt } from '../prompts/prompt.js';
import type { AppEnv } from './env.js';

function summary(prompt: Prompt, latest: boolean): PromptSummary {
  const { name, version, ref, description, params, sha256 } = prompt;
  return { ref, name, version, description, sha256, latest, params };
}

export const promptRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    const { prompts } = c.get('deps');
    return c.json({ items: prompts.list().map((prompt) => summary(prompt, prompts.resolve(prompt.name) === prompt)) } satisfies PromptList);
  })
  .get('/:ref', (c) => {
    const { prompts } = c.get('deps');
    const prompt = prompts.resolve(c.req.param('ref'));
    return c.json({ ...summary(prompt, prompts.resolve(prompt.name) === prompt), templates: prompt.templates, source: prompt.source } satisfies PromptDetail);
  })
  // The text diff between two versions: line parts for display, and a unified patch.
  .get('/:ref/diff/:other', (c) => {
    const { prompts } = c.get('deps');
    const a = prompts.resolve(c.req.param('ref'));
    const b = prompts.resolve(c.req.param('other'));
    const parts = diffLines(a.source, b.source).map((part): PromptDiff['parts'][number] => ({
      type: part.added ? 'added' : part.removed ? 'removed' : 'equal',
      text: part.value,
    }));
    return c.json({
      a: { ref: a.ref, sha256: a.sha256 },
      b: { ref: b.ref, sha256: b.sha256 },
      paramsChanged: Object.keys({ ...a.params, ...b.params }).filter(
        (key) => JSON.stringify(a.params[key as keyof Prompt['params']]) !== JSON.stringify(b.params[key as keyof Prompt['params']]),
      ),
      parts,
      unified: createTwoFilesPatch(`prompts/${a.name}/v${a.version}.md`, `prompts/${b.name}/v${b.version}.md`, a.source, b.source),
    } satisfies PromptDiff);
  });
