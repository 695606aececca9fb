import type { ModelBrief } from '../brief/schema.js';
import type { Provider } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import type { Chunk } from './chunk.js';
import type { CallStats, LlmCallRunner } from './llm-calls.js';

/** Progress of one brief, as the pipeline reports it (for logs and server-sent events). */
export type Progress =
  | { stage: 'map'; done: number; total: number }
  | { stage: 'reduce'; level: number; done: number; total: number };

export interface MapReduceJob {
  runner: LlmCallRunner;
  provider: Provider;
  model: string;
  prompt: Prompt;
  title: string | null;
  chunks: Chunk[];
  stats: CallStats;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
}

/**
 * Map every chunk, then merge k partial briefs at a time until one remains. Each reduce call
 * starts as soon as its own k inputs are ready, so the critical path is one map round plus
 * ⌈log_k N⌉ reduce calls. A single chunk is one map call and no reduce.
 */
export async function mapReduce(job: MapReduceJob): Promise<ModelBrief> {
  const { runner, provider, model, prompt, title, chunks, stats } = job;
  // The first failure cancels the calls still waiting; finished ones stay cached.
  const controller = new AbortController();
  const signal = job.signal ? AbortSignal.any([job.signal, controller.signal]) : controller.signal;
  const fail = (error: unknown): never => {
    controller.abort(error);
    throw error;
  };

  let mapped = 0;
  let level: Promise<ModelBrief>[] = chunks.map((chunk) =>
    runner
      .run(
        {
          provider,
          model,
          prompt,
          signal,
          input: {
            stage: 'map',
            title,
            chunkCount: chunks.length,
            chunk: { index: chunk.index, text: chunk.text, start: chunk.start, end: chunk.end },
          },
        },
        stats,
      )
      .then((partial) => {
        job.onProgress?.({ stage: 'map', done: ++mapped, total: chunks.length });
        return partial;
      }, fail),
  );

  const k = prompt.params.reduceFanIn;
  for (let depth = 1; level.length > 1; depth++) {
    const final = level.length <= k;
    const groups = Math.ceil(level.length / k);
    let reduced = 0;
    const next: Promise<ModelBrief>[] = [];
    for (let i = 0; i < level.length; i += k) {
      const group = level.slice(i, i + k);
      if (group.length === 1) {
        next.push(group[0]!);
        continue;
      }
      next.push(
        Promise.all(group).then((partials) =>
          runner
            .run({ provider, model, prompt, signal, input: { stage: 'reduce', title, partials, final } }, stats)
            .then((merged) => {
              job.onProgress?.({ stage: 'reduce', level: depth, done: ++reduced, total: groups });
              return merged;
            }, fail),
        ),
      );
    }
    level = next;
  }
  return level[0]!;
}
