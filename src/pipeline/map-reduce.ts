import type { ModelBrief } from '../briefs/schema.js';
import { AppError } from '../errors.js';
import type { Provider, StageInput } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import type { Chunk } from './chunk.js';
import type { Priority } from './fair-limit.js';
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
  stats: CallStats;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Whose calls these are (the brief's id), for the limit's turns. */
  owner: string;
  /** `background` for an evaluation's brief; interactive when not given. */
  priority?: Priority | undefined;
  /** Make every call anew, replacing the LLM-call cache's answers (`?refresh=calls`). */
  refreshCalls?: boolean | undefined;
  /**
   * Most tokens the partial briefs of one reduce call may take (ContextBudget.partials, the
   * model's context window less instructions and answer); no limit when not given.
   */
  partialsBudget?: number;
}

/** One brief's calls: map calls started chunk by chunk, then the merge of their answers. */
export interface MapReduceRun {
  /**
   * Starts a chunk's map call while the document is still being cut (at most once per chunk).
   * Only for a prompt whose map template does not name the chunk count (`mapsWhileCutting`),
   * and never for a chunk that is the whole document: the call's input has no count yet.
   */
  map(chunk: Chunk): void;
  /** Starts the map calls not started yet and merges all the answers into the brief. */
  reduce(chunks: Chunk[]): Promise<ModelBrief>;
  /** Cancels the calls started (the document could not be cut, or needs too many chunks). */
  abort(reason: unknown): void;
}

/**
 * Whether a prompt's map calls may start before the document is cut to the end: its map
 * template does not name the chunk count, which is known only then. brief@1 and brief@2 name
 * it; later versions say only whether a chunk is the whole document (`{{scope}}`).
 */
export function mapsWhileCutting(prompt: Prompt): boolean {
  return !prompt.templates.map.includes('{{chunkCount}}');
}

/**
 * Map every chunk, then merge partial briefs level by level along `planReduce`'s tree until one
 * remains. Each merge call starts as soon as its own inputs are ready, so the critical path is
 * one map round plus one call per level. A single chunk is one map call and no reduce. Map
 * calls may start while the document is still being cut (`map`), so for a fast model the
 * chunker's time overlaps the calls' (issue 14).
 *
 * The tree is planned from the chunks' text alone; a group whose partials turn out too long
 * for one call within `partialsBudget` is merged in several calls (a small tree of its own),
 * so the tree's other groups, and their cache keys, stay what they would be without a budget.
 */
export function startMapReduce(job: MapReduceJob): MapReduceRun {
  const { runner, provider, model, prompt, title, stats, owner, priority } = job;
  // The first failure cancels the calls still waiting; finished ones stay cached.
  const controller = new AbortController();
  const signal = job.signal ? AbortSignal.any([job.signal, controller.signal]) : controller.signal;
  const fail = (error: unknown): never => {
    controller.abort(error);
    throw error;
  };

  // Every call of this brief: the same provider, model, prompt, cancellation and turn, on one input.
  const call = (input: StageInput) =>
    runner.run(
      { provider, model, prompt, signal, input, owner, priority, refresh: job.refreshCalls },
      stats,
    );

  // Map answers are reported once the chunk count is known (`reduce`).
  const maps = new Map<number, Promise<ModelBrief>>();
  let mapped = 0;
  let total: number | undefined;
  const reportMap = () => {
    if (total !== undefined && mapped > 0) job.onProgress?.({ stage: 'map', done: mapped, total });
  };
  const startMap = (chunk: Chunk, chunkCount: number | undefined) => {
    if (maps.has(chunk.index)) return;
    const partial = call({
      stage: 'map',
      title,
      chunkCount,
      chunk: { index: chunk.index, text: chunk.text, start: chunk.start, end: chunk.end },
    }).then((answer) => {
      mapped++;
      reportMap();
      return answer;
    }, fail);
    // A call that fails before `reduce` waits on it is not an unhandled rejection: `reduce` sees it.
    partial.catch(() => undefined);
    maps.set(chunk.index, partial);
  };

  const budget = job.partialsBudget ?? Number.POSITIVE_INFINITY;
  const tokens = (value: unknown) => provider.countTokens(JSON.stringify(value), model);
  const fits = (partials: ModelBrief[]) => {
    const json = JSON.stringify(partials);
    // A token takes at least one byte of UTF-8 (four characters, estimated), a character at
    // most three: a text this short fits uncounted, as every text does without a budget.
    return json.length * 3 <= budget || provider.countTokens(json, model) <= budget;
  };
  // Expected partial briefs per sub-merge: what the budget holds at the answer's full length.
  const capacity = Math.max(2, Math.floor(budget / prompt.params.maxOutputTokens));
  /**
   * One group's merge: one call when its partials fit in the budget. Otherwise they are merged
   * in smaller calls first (`packMerge`), round after round, until the rest fit in one.
   */
  const merge = async (
    partials: ModelBrief[],
    keys: number[],
    depth: number,
    final: boolean,
  ): Promise<ModelBrief> => {
    for (let round = 1; !fits(partials); round++) {
      // Each partial with its comma; the brackets are taken off the budget.
      const sizes = partials.map((partial) => tokens(partial) + 1);
      const groups = packMerge(keys, sizes, budget - 2, capacity, (round << 16) | depth);
      if (groups.length === partials.length) throw tooLongToMerge(sizes, budget, model);
      const inputs = partials;
      partials = await Promise.all(
        groups.map(({ start, end }) =>
          end - start === 1
            ? inputs[start]!
            : call({ stage: 'reduce', title, partials: inputs.slice(start, end), final: false }),
        ),
      );
      keys = groups.map((group) => keys[group.end - 1]!);
    }
    return call({ stage: 'reduce', title, partials, final });
  };

  const reduce = (chunks: Chunk[]): Promise<ModelBrief> => {
    total = chunks.length;
    for (const chunk of chunks) startMap(chunk, chunks.length);
    reportMap();
    let level = chunks.map((chunk) => maps.get(chunk.index)!);
    let keys = chunks.map((chunk) => contentKey(chunk.text));
    const plan = planReduce(keys, prompt.params.reduceFanIn);
    plan.forEach((groups, index) => {
      const depth = index + 1;
      const final = depth === plan.length;
      const total = groups.filter((group) => group.end - group.start > 1).length;
      let reduced = 0;
      const below = level;
      const belowKeys = keys;
      level = groups.map(({ start, end }) =>
        end - start === 1
          ? below[start]!
          : Promise.all(below.slice(start, end)).then((partials) =>
              merge(partials, belowKeys.slice(start, end), depth, final).then((merged) => {
                job.onProgress?.({ stage: 'reduce', level: depth, done: ++reduced, total });
                return merged;
              }, fail),
            ),
      );
      keys = groups.map((group) => belowKeys[group.end - 1]!);
    });
    return level[0]!;
  };

  return {
    map: (chunk) => startMap(chunk, undefined),
    reduce,
    abort: (reason) => controller.abort(reason),
  };
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

/**
 * How the nodes of one merge group whose partial briefs (`sizes`, in tokens) are too long for
 * one call are merged in smaller calls, one round of them. A sub-group closes where the next
 * node would take it over `budget`, and, as planReduce's groups do, after a node whose key
 * mixed with `salt` (level and round) is 0 mod `capacity`: those boundaries follow the text, so
 * an edit to one partial moves only the sub-groups beside it. When no two nodes end up together
 * (every node a boundary, ~capacity^-N), the nodes are packed by size alone. The result has as
 * many groups as nodes only when no two neighbours fit together.
 */
export function packMerge(
  keys: readonly number[],
  sizes: readonly number[],
  budget: number,
  capacity: number,
  salt: number,
): ReduceGroup[] {
  const pack = (contentDefined: boolean) => {
    const groups: ReduceGroup[] = [];
    let start = 0;
    let tokens = 0;
    for (let i = 0; i < keys.length; i++) {
      if (i > start && tokens + sizes[i]! > budget) {
        groups.push({ start, end: i });
        start = i;
        tokens = 0;
      }
      tokens += sizes[i]!;
      if (i + 1 === keys.length || (contentDefined && mix(keys[i]!, salt) % capacity === 0)) {
        groups.push({ start, end: i + 1 });
        start = i + 1;
        tokens = 0;
      }
    }
    return groups;
  };
  const groups = pack(true);
  return groups.length < keys.length ? groups : pack(false);
}

/** A merge that cannot be made within the budget: a partial, or two neighbours, exceed it. */
function tooLongToMerge(sizes: number[], budget: number, model: string): AppError {
  const longest = Math.max(...sizes);
  const what =
    longest > budget
      ? `one partial brief takes ${longest} tokens`
      : 'no two neighbouring partial briefs fit together';
  return new AppError(
    'payload_too_large',
    `The document's partial briefs cannot be merged within the context window of ${model}: ` +
      `${what}, and a merge call may carry ${budget} tokens of them (set LLM_CONTEXT_TOKENS if ` +
      `the model has a larger window, or use a prompt with a smaller maxOutputTokens)`,
  );
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
