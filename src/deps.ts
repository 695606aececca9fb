import pLimit from 'p-limit';
import { createBriefContext, type BriefContext } from './briefs/context.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { IngestOptions } from './ingest/index.js';
import type { Logger } from './lib/log.js';
import type { Providers } from './llm/select.js';
import type { Chunk } from './pipeline/chunk.js';
import { type ChunkTask, runChunkTask } from './pipeline/chunk-task.js';
import { LlmCallRunner } from './pipeline/llm-call-runner.js';
import { createPerspectivesContext, type PerspectivesContext } from './perspectives/context.js';
import type { PromptRegistry } from './prompts/registry.js';

/** Everything a request handler may use. Built once by an entry point, handed to createApp. */
export interface Deps {
  config: Config;
  db: Database;
  prompts: PromptRegistry;
  /** The LLM providers a request may name, and the default. */
  providers: Providers;
  /** The brief verbs' context: this process's runs, their progress, and the memo of finished briefs. */
  briefs: BriefContext;
  /** How documents are read: the ingest limits, and on a Node server the work thread for HTML. */
  ingest: IngestOptions;
  /** The perspectives verbs' context: shares the brief context's runner, limit and leases. */
  perspectives: PerspectivesContext;
  logger: Logger;
  /** Keeps work alive after the response has been sent (Workers' waitUntil; on Node, nothing to do). */
  background: (work: Promise<unknown>) => void;
}

export interface DepsInput {
  config: Config;
  db: Database;
  prompts: PromptRegistry;
  providers: Providers;
  logger: Logger;
  /** Keeps work alive after a response has been sent (Workers' waitUntil). Node needs nothing. */
  background?: (work: Promise<unknown>) => void;
  /** Chunks a document elsewhere (a Node server's work thread); inline when not given. */
  chunk?: (task: ChunkTask) => Promise<Chunk[]>;
  /** Reads an HTML page elsewhere (a Node server's work thread); inline when not given. */
  readHtml?: IngestOptions['readHtml'];
}

export function buildDeps(input: DepsInput): Deps {
  const { config, db, prompts, providers, logger } = input;
  const background = input.background ?? (() => {});
  // One limit for the whole process: every brief's calls queue behind it.
  const runner = new LlmCallRunner(db, pLimit(config.LLM_CONCURRENCY));
  const briefs = createBriefContext({
    db,
    prompts,
    providers,
    runner,
    logger,
    defaultPrompt: config.DEFAULT_PROMPT,
    overlapTokens: config.CHUNK_OVERLAP_TOKENS,
    maxChunks: config.MAX_CHUNKS_PER_BRIEF,
    chunk: input.chunk ?? (async (task) => runChunkTask(task)),
    leaseMs: config.BRIEF_LEASE_MS,
    pollMs: config.BRIEF_POLL_MS,
    background,
  });
  const perspectives = createPerspectivesContext(briefs);
  const ingest: IngestOptions = {
    MAX_HTML_DEPTH: config.MAX_HTML_DEPTH,
    MAX_HTML_ELEMENTS: config.MAX_HTML_ELEMENTS,
    MAX_PDF_PAGES: config.MAX_PDF_PAGES,
    MAX_EXTRACTED_CHARS: config.MAX_EXTRACTED_CHARS,
    ...(input.readHtml ? { readHtml: input.readHtml } : {}),
  };
  return { config, db, prompts, providers, briefs, ingest, perspectives, logger, background };
}
