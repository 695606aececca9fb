import { and, eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { briefs, type BriefRow } from '../db/schema.js';
import { AppError, type ErrorCode } from '../errors.js';
import { utf8Bytes } from '../lib/chars.js';
import type { Logger } from '../lib/log.js';
import { LlmError, type Provider } from '../llm/provider.js';
import { type Chunk, maxChunksOf } from '../pipeline/chunk.js';
import type { Chunker, ChunkTask } from '../pipeline/chunk-task.js';
import { contextBudget } from '../pipeline/context-budget.js';
import type { Priority } from '../pipeline/fair-limit.js';
import { emptyStats, type CallStats, type LlmCallRunner } from '../pipeline/llm-call-runner.js';
import {
  type MapReduceRun,
  mapsWhileCutting,
  type Progress,
  startMapReduce,
} from '../pipeline/map-reduce.js';
import type { Prompt } from '../prompts/prompt.js';
import type { Brief, BriefFailure, BriefTimings, BriefUsage, ModelBrief } from './schema.js';

export interface RunContext {
  db: Database;
  runner: LlmCallRunner;
  logger: Logger;
  overlapTokens: number;
  maxChunks: number;
  chunk: Chunker;
  /** LLM_CONTEXT_TOKENS: the models' context window, when the table's is not to be used. */
  contextTokens: number | undefined;
  verify: (brief: ModelBrief, text: string) => Promise<Brief>;
}

export interface RunJob {
  briefId: string;
  text: string;
  /** Made by the caller already, or undefined to chunk `text` here. */
  chunks?: Chunk[] | undefined;
  title: string | null;
  prompt: Prompt;
  provider: Provider;
  model: string;
  /** `background` for an evaluation's brief: its calls yield to interactive ones. */
  priority?: Priority | undefined;
  /** Make every LLM call anew, replacing the call cache's answers (`?refresh=calls`). */
  refreshCalls?: boolean | undefined;
  onProgress?: (progress: RunProgress) => void;
  /**
   * Failures its caller will try again (a queue consumer: src/briefs/queue.ts): for these the
   * row is left `running` and the error is thrown instead of stored.
   */
  retry?: (error: unknown) => boolean;
  /**
   * The queue message that holds the brief (src/briefs/queue.ts). Its writes land only while it
   * still holds it: a consumer whose lease lapsed and whose brief another took over does not
   * overwrite that one's outcome.
   */
  holder?: string | undefined;
}

/** The brief's row, while this run still holds it (see RunJob.holder). */
function ours(job: Pick<RunJob, 'briefId' | 'holder'>) {
  return job.holder === undefined
    ? eq(briefs.id, job.briefId)
    : and(eq(briefs.id, job.briefId), eq(briefs.holder, job.holder));
}

/**
 * A brief's progress: chunked (its count known; calls may have started while it was cut), the
 * pipeline's map and reduce steps, then the verify stage's count of citations found in the source.
 */
export type RunProgress =
  | { stage: 'queued'; chunks: number }
  | Progress
  | { stage: 'verified'; citations: number; verifiedCitations: number };

/**
 * chunk → map → reduce → verify → store, for one brief row already marked `running`.
 * It never throws (but for the failures `job.retry` claims): the outcome, success or failure, is
 * written to the row, which it returns (undefined if the row is gone).
 */
export async function runBrief(context: RunContext, job: RunJob): Promise<BriefRow | undefined> {
  const { db, runner, logger } = context;
  const stats = emptyStats();
  const started = performance.now();
  const timings: BriefTimings = { chunkMs: 0, mapMs: 0, reduceMs: 0, verifyMs: 0, totalMs: 0 };
  let chunkCount: number | null = null;
  // Map calls may start while the document is cut; any failure of the run cancels them.
  let cancelCalls: MapReduceRun['abort'] | undefined;
  try {
    // The model's context window bounds every call: the chunks' size and each merge's input.
    const budget = contextBudget({
      provider: job.provider,
      model: job.model,
      prompt: job.prompt,
      contextTokens: context.contextTokens,
    });
    let mapStarted = 0;
    const mapping = startMapReduce({
      runner,
      provider: job.provider,
      model: job.model,
      prompt: job.prompt,
      title: job.title,
      stats,
      owner: job.briefId,
      priority: job.priority,
      refreshCalls: job.refreshCalls,
      partialsBudget: budget.partials,
      onProgress: (progress) => {
        if (progress.stage === 'map' && progress.done === progress.total)
          timings.mapMs = performance.now() - mapStarted;
        job.onProgress?.(progress);
      },
    });
    cancelCalls = mapping.abort;
    let chunks = job.chunks;
    if (!chunks) {
      const task = {
        text: job.text,
        maxTokens: Math.min(job.provider.chunkTokens, budget.chunk),
        overlapTokens: context.overlapTokens,
        provider: job.provider.name,
        model: job.model,
      };
      // Each chunk's map call starts as the chunk is cut, where that is safe (a fast model's
      // calls overlap the chunker's work).
      const onChunk = mapsWhileCut(job.prompt, task, context.maxChunks)
        ? (chunk: Chunk) => {
            const whole = chunk.start === 0 && chunk.end === job.text.length;
            if (!whole) mapping.map(chunk);
          }
        : undefined;
      chunks = await context.chunk(task, onChunk);
    }
    chunkCount = chunks.length;
    timings.chunkMs = performance.now() - started;
    // A resumed brief is chunked here; what submitBrief refused never gets this far.
    if (chunkCount > context.maxChunks) throw tooManyChunks(chunkCount, context.maxChunks);
    // Followers elsewhere (another process, a later page load) read the total from the row.
    await db.update(briefs).set({ chunks: chunkCount, updatedAt: Date.now() }).where(ours(job));
    job.onProgress?.({ stage: 'queued', chunks: chunkCount });
    // Map time counts from the end of chunking: calls started while cutting overlap chunkMs.
    mapStarted = performance.now();
    const modelBrief = await mapping.reduce(chunks);
    const verifyStarted = performance.now();
    timings.reduceMs = chunks.length > 1 ? verifyStarted - mapStarted - timings.mapMs : 0;
    const brief = await context.verify(modelBrief, job.text);
    timings.verifyMs = performance.now() - verifyStarted;
    const citations = [...brief.keyPoints, ...brief.counterPerspectives].flatMap(
      (item) => item.citations,
    );
    job.onProgress?.({
      stage: 'verified',
      citations: citations.length,
      verifiedCitations: citations.filter((citation) => citation.verified).length,
    });
    timings.totalMs = performance.now() - started;
    const [row] = await db
      .update(briefs)
      .set({
        status: 'succeeded',
        result: brief,
        error: null,
        usage: usageOf(stats),
        timings: rounded(timings),
        chunks: chunkCount,
        answeredBy: stats.answeredBy ?? null,
        leaseUntil: null,
        updatedAt: Date.now(),
        finishedAt: Date.now(),
      })
      .where(ours(job))
      .returning();
    logger.info('brief succeeded', {
      briefId: job.briefId,
      chunks: chunkCount,
      ...usageOf(stats),
      ms: Math.round(timings.totalMs),
    });
    return row;
  } catch (error) {
    cancelCalls?.(error);
    if (job.retry?.(error)) throw error;
    const failure = toBriefFailure(error);
    timings.totalMs = performance.now() - started;
    logger[failure.code === 'internal' ? 'error' : 'warn']('brief failed', {
      briefId: job.briefId,
      code: failure.code,
      reason: error instanceof Error ? error.message : String(error),
      ...(error instanceof LlmError && error.detail ? { upstream: error.detail } : {}),
    });
    const [row] = await db
      .update(briefs)
      .set({
        status: 'failed',
        result: null,
        error: failure,
        usage: usageOf(stats),
        timings: rounded(timings),
        chunks: chunkCount,
        leaseUntil: null,
        updatedAt: Date.now(),
        finishedAt: Date.now(),
      })
      .where(ours(job))
      .returning();
    return row;
  }
}

function usageOf(stats: CallStats): BriefUsage {
  const { calls, cachedCalls, requests, promptTokens, completionTokens } = stats;
  return { calls, cachedCalls, requests, promptTokens, completionTokens };
}

function rounded(timings: BriefTimings): BriefTimings {
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    chunkMs: round(timings.chunkMs),
    mapMs: round(timings.mapMs),
    reduceMs: round(timings.reduceMs),
    verifyMs: round(timings.verifyMs),
    totalMs: round(timings.totalMs),
  };
}

const llmMessages: Record<LlmError['kind'], string> = {
  unavailable: 'The language model endpoint could not be reached or kept failing',
  rate_limited: 'The language model endpoint kept rate-limiting the requests',
  invalid_output: 'The model returned output that could not be used',
  refusal: 'The model refused to produce the brief',
  length: "The model's output was cut off at the output token limit",
  unauthorized:
    'The language model endpoint refused the credentials (check OPENAI_API_KEY on the server)',
  bad_request: 'The language model endpoint rejected the request',
};

const llmCodes: Record<LlmError['kind'], ErrorCode> = {
  unavailable: 'llm_unavailable',
  rate_limited: 'llm_unavailable',
  invalid_output: 'llm_invalid_output',
  refusal: 'llm_invalid_output',
  length: 'llm_invalid_output',
  unauthorized: 'llm_unauthorized',
  bad_request: 'llm_invalid_output',
};

/**
 * The error stored on a failed brief: a client-facing code and a specific message, no internals.
 * An LlmError's message is the provider's own wording; what the endpoint said (`detail`) is
 * logged, never stored.
 */
export function toBriefFailure(error: unknown): BriefFailure {
  if (error instanceof LlmError) {
    return { code: llmCodes[error.kind], message: `${llmMessages[error.kind]}: ${error.message}` };
  }
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'internal', message: 'The brief failed because of an internal error' };
}

/**
 * Whether a brief's map calls may start while its document is cut: the prompt's map template
 * does not name the chunk count (`mapsWhileCutting`), and the text is too short to need more
 * chunks than MAX_CHUNKS_PER_BRIEF however it is cut (`maxChunksOf`), so no call is made for a
 * document that is then refused. Otherwise the whole document is cut first.
 */
export function mapsWhileCut(
  prompt: Prompt,
  task: Pick<ChunkTask, 'text' | 'maxTokens' | 'overlapTokens'>,
  maxChunks: number,
): boolean {
  if (!mapsWhileCutting(prompt)) return false;
  // A text's UTF-8 length is 1 to 3 times its length in code units: it is counted (a pass over
  // the text) only when the answer depends on it, for documents of ~250 to ~800 KB by default.
  const { length } = task.text;
  if (maxChunksOf(3 * length, task) <= maxChunks) return true;
  if (maxChunksOf(length, task) > maxChunks) return false;
  return maxChunksOf(utf8Bytes(task.text), task) <= maxChunks;
}

/** A document that needs more chunks (and so LLM calls) than MAX_CHUNKS_PER_BRIEF allows. */
export function tooManyChunks(chunks: number, max: number): AppError {
  return new AppError(
    'payload_too_large',
    `The document needs ${chunks} chunks, more than the ${max} one brief may have (MAX_CHUNKS_PER_BRIEF)`,
  );
}
