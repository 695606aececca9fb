import { readFileSync, readdirSync } from 'node:fs';
import { ModelBrief } from '../src/briefs/schema.js';
import { createLocalProvider } from '../src/llm/local.js';
import type { StageInput } from '../src/llm/provider.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { PromptParams } from '../src/prompts/prompt.js';

/** Shared by the analyst tests: seeds as the service would normalize them, and one-call briefs. */
export const SEEDS = new URL('../seeds/', import.meta.url);

export function seedNames(): string[] {
  return readdirSync(SEEDS)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort();
}

export function seed(name: string): string {
  return normalizeText(readFileSync(new URL(name, SEEDS), 'utf8'));
}

export const provider = createLocalProvider();

export async function run(
  input: StageInput,
  params: Partial<PromptParams> = {},
): Promise<ModelBrief> {
  const request = {
    stage: input.stage,
    messages: { system: '', user: '' },
    schema: { name: 'brief', zod: ModelBrief },
    params: PromptParams.parse(params),
    input,
  };
  return (await provider.generate(request, provider.defaultModel)).value;
}

export function briefText(
  text: string,
  params: Partial<PromptParams> = {},
  title: string | null = null,
): Promise<ModelBrief> {
  return run(
    { stage: 'map', title, chunk: { index: 0, text, start: 0, end: text.length }, chunkCount: 1 },
    params,
  );
}

export function allQuotes(brief: ModelBrief): string[] {
  return [
    ...brief.keyPoints.flatMap((p) => p.citations),
    ...brief.counterPerspectives.flatMap((n) => n.citations),
  ].map((c) => c.quote);
}

export function kindCounts(brief: ModelBrief): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const note of brief.counterPerspectives) counts[note.kind] = (counts[note.kind] ?? 0) + 1;
  return counts;
}
