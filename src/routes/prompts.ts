import { Hono } from 'hono';
import { z } from 'zod';
import { DiffPart } from '../compare/compare.js';
import type { ApiOperation } from '../openapi/operation.js';
import { diffPrompts } from '../prompts/diff.js';
import { PromptParams, type Prompt } from '../prompts/prompt.js';
import type { PromptRegistry } from '../prompts/registry.js';
import type { AppEnv } from './app-env.js';
import { sendCached } from './send-cached.js';

export const PromptSummary = z
  .object({
    ref: z.string(),
    name: z.string(),
    version: z.number().int(),
    description: z.string(),
    sha256: z.string(),
    latest: z.boolean().describe('True for the highest version of its name'),
    params: PromptParams,
  })
  .meta({ id: 'PromptSummary' });
export type PromptSummary = z.infer<typeof PromptSummary>;

export const PromptList = z.object({ items: z.array(PromptSummary) }).meta({ id: 'PromptList' });
export type PromptList = z.infer<typeof PromptList>;

export const PromptDetail = PromptSummary.extend({
  templates: z.object({
    system: z.string(),
    map: z.string(),
    reduce: z.string(),
    perspectives: z
      .string()
      .optional()
      .describe('Only in versions that POST /v1/perspectives can use'),
  }),
  source: z.string().describe('The prompt file as written (its sha256 is `sha256`)'),
}).meta({ id: 'PromptDetail' });
export type PromptDetail = z.infer<typeof PromptDetail>;

export const PromptDiff = z
  .object({
    a: z.object({ ref: z.string(), sha256: z.string() }),
    b: z.object({ ref: z.string(), sha256: z.string() }),
    paramsChanged: z.array(z.string()),
    parts: z.array(DiffPart).describe('Line diff from a to b'),
    unified: z.string().describe('The same diff as a unified patch'),
  })
  .meta({ id: 'PromptDiff' });
export type PromptDiff = z.infer<typeof PromptDiff>;

function summary(prompts: PromptRegistry, prompt: Prompt): PromptSummary {
  const { name, version, ref, description, params, sha256 } = prompt;
  return {
    ref,
    name,
    version,
    description,
    sha256,
    latest: prompts.resolve(name) === prompt,
    params,
  };
}

/**
 * A version named as `name@N` that is published (locked by its sha256) and no longer the latest
 * reads the same forever: `immutable`. `name`, `name@latest`, the latest version (its `latest`
 * turns false when a new one is published) and drafts (unlocked files may change) revalidate.
 */
function fixed(prompts: PromptRegistry, ref: string, prompt: Prompt): boolean {
  return ref === prompt.ref && prompts.published(prompt) && prompts.resolve(prompt.name) !== prompt;
}

export const promptRoutes = new Hono<AppEnv>()
  .get('/', (c) => {
    const { prompts } = c.get('deps');
    const list = { items: prompts.list().map((prompt) => summary(prompts, prompt)) };
    return sendCached(c, list satisfies PromptList, 'revalidate');
  })
  .get('/:ref', (c) => {
    const { prompts } = c.get('deps');
    const ref = c.req.param('ref');
    const prompt = prompts.resolve(ref);
    const detail = {
      ...summary(prompts, prompt),
      templates: prompt.templates,
      source: prompt.source,
    };
    return sendCached(
      c,
      detail satisfies PromptDetail,
      fixed(prompts, ref, prompt) ? 'immutable' : 'revalidate',
    );
  })
  // The text diff between two versions: line parts for display, and a unified patch.
  .get('/:ref/diff/:other', (c) => {
    const { prompts } = c.get('deps');
    const a = prompts.resolve(c.req.param('ref'));
    const b = prompts.resolve(c.req.param('other'));
    const diff = {
      a: { ref: a.ref, sha256: a.sha256 },
      b: { ref: b.ref, sha256: b.sha256 },
      ...diffPrompts(a, b),
    };
    // Two published versions named by number always diff the same (no `latest` flag in it).
    const final =
      c.req.param('ref') === a.ref &&
      c.req.param('other') === b.ref &&
      prompts.published(a) &&
      prompts.published(b);
    return sendCached(c, diff satisfies PromptDiff, final ? 'immutable' : 'revalidate');
  });

export const promptOperations: ApiOperation[] = [
  {
    method: 'get',
    path: '/v1/prompts',
    operationId: 'listPrompts',
    tag: 'prompts',
    summary: 'Every published prompt version',
    responses: {
      200: { description: 'The versions', content: { 'application/json': PromptList } },
    },
    caching: '`public, no-cache`: revalidate (a new version changes the list)',
    errors: [],
  },
  {
    method: 'get',
    path: '/v1/prompts/{ref}',
    operationId: 'getPrompt',
    tag: 'prompts',
    summary: 'One prompt version with its templates and source',
    pathParams: { ref: 'name, name@N or name@latest' },
    responses: {
      200: { description: 'The version', content: { 'application/json': PromptDetail } },
    },
    caching:
      '`public, max-age=31536000, immutable` for a published version named name@N that is no longer the latest; ' +
      '`public, no-cache` for name, name@latest, the latest version (its `latest` changes with the next one) and unpublished drafts. `private` instead of `public` when the request carried Authorization',
    errors: ['unknown_prompt'],
  },
  {
    method: 'get',
    path: '/v1/prompts/{ref}/diff/{other}',
    operationId: 'diffPrompts',
    tag: 'prompts',
    summary: 'The text diff between two prompt versions',
    pathParams: { ref: 'The version diffed from', other: 'The version diffed to' },
    responses: { 200: { description: 'The diff', content: { 'application/json': PromptDiff } } },
    caching:
      '`public, max-age=31536000, immutable` between two published versions named name@N; `public, no-cache` otherwise (`private` when the request carried Authorization)',
    errors: ['unknown_prompt'],
  },
];
