import type { ModelBrief } from '../briefs/schema.js';
import type { Provider, StageInput } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import type { Chunk } from './chunk.js';
import type { CallStats, LlmCallRunner } from './llm-call-runner.js';

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
 * Map every chunk, then merge partial briefs level by level along `planReduce`'s tree until one
 * remains. Each merge call starts as soon as its own inputs are ready, so the critical path is
 * one map round plus one call per level. A single chunk is one map call and no reduce.
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

  // Every call of this brief: the same provider, model, prompt and cancellation, on one input.
  const call = (input: StageInput) => runner.run({ provider, model, prompt, signal, input }, stats);

  let mapped = 0;
  let level: Promise<ModelBrief>[] = chunks.map((chunk) =>
    call({
      stage: 'map',
      title,
      chunkCount: chunks.length,
      chunk: { index: chunk.index, text: chunk.text, start: chunk.start, end: chunk.end },
    }).then((partial) => {
      job.onProgress?.({ stage: 'map', done: ++mapped, total: chunks.length });
      return partial;
    }, fail),
  );

  const plan = planReduce(
    chunks.map((chunk) => contentKey(chunk.text)),
    prompt.params.reduceFanIn,
  );
  plan.forEach((groups, index) => {
    const depth = index + 1;
    const final = depth === plan.length;
    const total = groups.filter((group) => group.end - group.start > 1).length;
    let reduced = 0;
    const below = level;
    level = groups.map(({ start, end }) =>
      end - start === 1
        ? below[start]!
        : Promise.all(below.slice(start, end)).then((partials) =>
            call({ stage: 'reduce', title, partials, final }).then((merged) => {
              job.onProgress?.({ stage: 'reduce', level: depth, done: ++reduced, total });
              return merged;
            }, fail),
          ),
    );
  });
  return level[0]!;
}

/** Nodes `start` to `end - 1` of the level below, merged by one call (or passed up when alone). */
export interface ReduceGroup {
  start: number;
  end: number;
}

/**
 * The merge tree over N leaves with content keys `keys`: for each level, its groups.
 *
 * A level of at most `fanIn` nodes is merged by one final call. Above that, groups are
 * content-defined: a group closes after a node whose key, mixed with the level, is 0 mod
 * `fanIn` (so about `fanIn` nodes per group), or when it holds 2 × `fanIn`. A node's key is its
 * last chunk's. Because boundaries follow the text, not positions, an edit that adds or
 * removes a chunk changes only the groups that hold changed chunks (and, when the edit makes
 * or removes a boundary, one neighbour); every other merge is the same call as before and a
 * cache hit. Positional groups of `fanIn` would shift every group after the edit.
 */
export function planReduce(keys: readonly number[], fanIn: number): ReduceGroup[][] {
  const levels: ReduceGroup[][] = [];
  for (let depth = 1; keys.length > 1; depth++) {
    let groups: ReduceGroup[];
    if (keys.length <= fanIn) {
      groups = [{ start: 0, end: keys.length }];
    } else {
      groups = [];
      let start = 0;
      for (let i = 0; i < keys.length; i++) {
        if (
          i + 1 === keys.length ||
          mix(keys[i]!, depth) % fanIn === 0 ||
          i + 1 - start === 2 * fanIn
        ) {
          groups.push({ start, end: i + 1 });
          start = i + 1;
        }
      }
      // Every node its own group would make no progress: fall back to positions (rare: ~fanIn^-N).
      if (groups.length === keys.length) {
        groups = Array.from({ length: Math.ceil(keys.length / fanIn) }, (_, g) => ({
          start: g * fanIn,
          end: Math.min(keys.length, (g + 1) * fanIn),
        }));
      }
    }
    levels.push(groups);
    keys = groups.map((group) => keys[group.end - 1]!);
  }
  return levels;
}

/** A 32-bit hash of a chunk's text (FNV-1a): what decides where merge groups end. */
export function contentKey(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** murmur3's finalizer over key and level, so each level draws its own boundaries. */
function mix(key: number, depth: number): number {
  let h = (key ^ Math.imul(depth, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
