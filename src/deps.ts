import { createBriefContext, type BriefContext } from './briefs/context.js';
import type { WorkQueue } from './briefs/queue.js';
import type { Brief, ModelBrief } from './briefs/schema.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import { indexDocuments, type SaveDocument, saveDocument } from './documents/queries.js';
import type { IngestOptions } from './ingest/index.js';
import type { Logger } from './lib/log.js';
import { priceTable, type PriceTable } from './llm/prices.js';
import type { Providers } from './llm/select.js';
import { type Chunker, runChunkTask } from './pipeline/chunk-task.js';
import { fairLimit } from './pipeline/fair-limit.js';
import { LlmCallRunner } from './pipeline/llm-call-runner.js';
import { normalizeText } from './pipeline/normalize.js';
import { verifyBrief } from './pipeline/verify.js';
import { createPerspectivesContext, type PerspectivesContext } from './perspectives/context.js';
import type { DocumentToRead, ReadDocument } from './perspectives/passages.js';
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
  /** The prices usage is costed at: the built-in list under LLM_PRICES (src/llm/prices.ts). */
  prices: PriceTable;
  logger: Logger;
  /** Keeps work alive after the response has been sent (Workers' waitUntil; on Node, nothing to do). */
  background: (work: Promise<unknown>) => void;
  /** Indexes the documents waiting for the search index (on a Node server's work thread). */
  indexDocuments: () => Promise<void>;
}

export interface DepsInput {
  config: Config;
  db: Database;
  prompts: PromptRegistry;
  providers: Providers;
  logger: Logger;
  /** Keeps work alive after a response has been sent (Workers' waitUntil). Node needs nothing. */
  background?: (work: Promise<unknown>) => void;
  /** Work done elsewhere (a Node server's work thread); each piece is done inline when not given. */
  offload?: Offload;
  /** A Worker's work queue: briefs are sent there instead of run by the request (src/briefs/queue.ts). */
  queue?: WorkQueue | undefined;
}

/**
 * The CPU-heavy steps of reading, storing and briefing a document that a Node server runs on
 * its work thread (src/lib/work-thread.ts), so that no single request holds the event loop.
 */
export interface Offload {
  chunk?: Chunker;
  normalize?: (text: string) => Promise<string>;
  verify?: (brief: ModelBrief, text: string) => Promise<Brief>;
  saveDocument?: SaveDocument;
  indexDocuments?: () => Promise<void>;
  readHtml?: IngestOptions['readHtml'];
  readPdf?: IngestOptions['readPdf'];
  readDocument?: (document: DocumentToRead) => Promise<ReadDocument>;
}

export function buildDeps(input: DepsInput): Deps {
  const { config, db, prompts, providers, logger } = input;
  const background = input.background ?? (() => {});
  const offload = input.offload ?? {};
  // One limit for the whole process (on Workers, for the request), its slots taken in turn by the
  // runs waiting for one, interactive runs before an evaluation's.
  const runner = new LlmCallRunner(
    db,
    fairLimit(config.LLM_CONCURRENCY, config.LLM_RESERVED_SLOTS),
  );
  const prices = priceTable(config.LLM_PRICES);
  const index = offload.indexDocuments ?? (() => indexDocuments({ db }));
  const briefs = createBriefContext({
    db,
    prompts,
    providers,
    runner,
    logger,
    defaultPrompt: config.DEFAULT_PROMPT,
    overlapTokens: config.CHUNK_OVERLAP_TOKENS,
    maxChunks: config.MAX_CHUNKS_PER_BRIEF,
    contextTokens: config.LLM_CONTEXT_TOKENS,
    chunk: offload.chunk ?? (async (task, onChunk) => runChunkTask(task, onChunk)),
    normalize: offload.normalize ?? (async (text) => normalizeText(text)),
    verify: offload.verify ?? (async (brief, text) => verifyBrief(brief, text)),
    saveDocument:
      offload.saveDocument ?? ((document, options) => saveDocument({ db }, document, options)),
    indexDocuments: index,
    leaseMs: config.BRIEF_LEASE_MS,
    pollMs: config.BRIEF_POLL_MS,
    background,
    queue: input.queue,
    maxAttempts: config.BRIEF_MAX_ATTEMPTS,
    prices,
  });
  const perspectives = createPerspectivesContext(briefs, offload.readDocument);
  const ingest: IngestOptions = {
    MAX_HTML_DEPTH: config.MAX_HTML_DEPTH,
    MAX_HTML_ELEMENTS: config.MAX_HTML_ELEMENTS,
    MAX_PDF_PAGES: config.MAX_PDF_PAGES,
    MAX_EXTRACTED_CHARS: config.MAX_EXTRACTED_CHARS,
    ...(offload.readHtml ? { readHtml: offload.readHtml } : {}),
    ...(offload.readPdf ? { readPdf: offload.readPdf } : {}),
  };
  return {
    config,
    db,
    prompts,
    providers,
    briefs,
    ingest,
    perspectives,
    prices,
    logger,
    background,
    indexDocuments: index,
  };
}
