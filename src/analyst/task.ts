import type { StageInput } from '../llm/provider.js';
import type { PromptParams } from '../prompts/prompt.js';
import { alignClaim } from './align.js';
import { analyseChunk } from './analyse-chunk.js';
import { mergeBriefs } from './merge.js';
import { settingsFrom } from './params.js';

/**
 * One piece of the analyst's work: a stage's input and the version's params. Plain data, so it
 * can cross to a worker thread (src/lib/work-thread.ts) and back.
 */
export interface AnalystTask {
  input: StageInput;
  params: PromptParams;
}

/** Runs one task: a chunk read, partial briefs merged, or a claim read against passages. */
export function runAnalystTask(task: AnalystTask): unknown {
  const settings = settingsFrom(task.params);
  const input = task.input;
  if (input.stage === 'map') return analyseChunk(input.chunk.text, input.title, settings);
  if (input.stage === 'perspectives') return alignClaim(input);
  return mergeBriefs(input.partials, input.title, settings);
}
