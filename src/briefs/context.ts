import { eq, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import type { SaveDocument } from '../documents/queries.js';
import { briefs, documents, type BriefRow } from '../db/schema.js';
import type { Logger } from '../lib/log.js';
import type { PriceTable } from '../llm/prices.js';
import type { Providers } from '../llm/select.js';
import type { LlmCallRunner } from '../pipeline/llm-call-runner.js';
import type { Chunker } from '../pipeline/chunk-task.js';
import type { Prompt } from '../prompts/prompt.js';
import type { PromptRegistry } from '../prompts/registry.js';
import { BriefEventHub } from './events.js';
import type { WorkQueue } from './queue.js';
import type { Brief, ModelBrief } from './schema.js';
import type { BriefView } from './view.js';

export interface BriefContextInput {
  db: Database;
  prompts: PromptRegistry;
  providers: Providers;
  runner: LlmCallRunner;
  logger: Logger;
  defaultPrompt: string;
  overlapTokens: number;
  /** MAX_CHUNKS_PER_BRIEF: a document that needs more chunks is refused before anything is stored. */
  maxChunks: number;
  /** Chunks a document, on a Node server's work thread or inline (src/pipeline/chunk-task.ts). */
  chunk: Chunker;
  /** LLM_CONTEXT_TOKENS: the openai provider's context window; the model's own when undefined. */
  contextTokens: number | undefined;
  /** normalizeText, on a Node server's work thread or inline. */
  normalize: (text: string) => Promise<string>;
  /** verifyBrief (the quotes located in the document), on a Node server's work thread or inline. */
  verify: (brief: ModelBrief, text: string) => Promise<Brief>;
  /** saveDocument: through a Node server's work thread and its own connection, or here. */
  saveDocument: SaveDocument;
  /** indexDocuments, likewise: a brief's document is indexed once its chunking is under way. */
  indexDocuments: () => Promise<void>;
  /** How long a running brief's lease lasts without renewal before another process may resume it. */
  leaseMs: number;
  /** Interval between re-reads of a brief another process runs. */
  pollMs: number;
  /** Keeps background work alive after the response (Workers' waitUntil; a no-op on Node). */
  background: (work: Promise<unknown>) => void;
  /**
   * A Worker with its work queue bound: claimed briefs are sent there and run by its consumer
   * (src/briefs/queue.ts), not by the request. Undefined on Node: briefs run in the process.
   */
  queue?: WorkQueue | undefined;
  /** BRIEF_MAX_ATTEMPTS: starts of one brief by the queue's consumer before it is marked failed. */
  maxAttempts: number;
  /** What views estimate the cost of a brief's tokens with (list prices and LLM_PRICES). */
  prices: PriceTable;
}

/**
 * What the brief verbs (submit.ts, lease.ts, queries.ts) work with: their dependencies and the
 * state this process keeps about briefs. One per process on Node; one per request on Workers
 * (src/worker.ts), where a run belongs to the request that started it.
 */
export interface BriefContext extends BriefContextInput {
  /** Briefs running in this process, by id, each settling to its final row (or undefined if it vanished). */
  readonly running: Map<string, Promise<BriefRow | undefined>>;
  /** Progress of the briefs running in this process, for `GET /v1/briefs/:id/events`. */
  readonly events: BriefEventHub;
  /**
   * Views of succeeded briefs by id, and by the parts of their brief-cache key (a repeated POST),
   * served without a query. A succeeded brief is final, so a copy cannot go stale; see remember().
   */
  readonly succeeded: Map<string, BriefView>;
  readonly succeededByKey: Map<string, BriefView>;
  /** sha256 of each prompt version's params: they never change, so they are hashed once. */
  readonly paramsHashes: WeakMap<Prompt, Promise<string>>;
  /** The hot-path reads (GET of a brief, POST of a briefed document): one joined query each, prepared once. */
  readonly reads: { byId: JoinedRead; byCacheKey: JoinedRead };
}

interface JoinedRead {
  all(values: { key: string }): Promise<{ row: BriefRow; title: string | null }[]>;
}

export function createBriefContext(input: BriefContextInput): BriefContext {
  const withTitle = (column: typeof briefs.id | typeof briefs.cacheKey): JoinedRead => {
    const statement = input.db
      .select({ row: briefs, title: documents.title })
      .from(briefs)
      .leftJoin(documents, eq(documents.id, briefs.documentId))
      .where(eq(column, sql.placeholder('key')))
      .limit(1)
      .prepare();
    return { all: async (values) => statement.all(values) };
  };
  return {
    ...input,
    running: new Map(),
    events: new BriefEventHub(),
    succeeded: new Map(),
    succeededByKey: new Map(),
    paramsHashes: new WeakMap(),
    reads: { byId: withTitle(briefs.id), byCacheKey: withTitle(briefs.cacheKey) },
  };
}

const SUCCEEDED_CACHE_SIZE = 1_000;

/**
 * Keeps a succeeded brief's view (it never changes again), evicting the oldest past the cap.
 * The view is frozen: callers may rely on that to reuse what they derive from it
 * (src/routes/send-json.ts).
 */
export function remember(cache: Map<string, BriefView>, key: string, view: BriefView): BriefView {
  const frozen = Object.freeze(view);
  cache.set(key, frozen);
  if (cache.size > SUCCEEDED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return frozen;
}

/** Resolves when every brief running in this process has finished (graceful shutdown, tests). */
export async function idle(context: BriefContext): Promise<void> {
  while (context.running.size > 0) await Promise.allSettled([...context.running.values()]);
}
