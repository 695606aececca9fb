import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import {
  BRIEF_STATUSES,
  type Brief,
  type BriefFailure,
  type BriefTimings,
  type BriefUsage,
} from '../briefs/schema.js';
import type { PromptParams } from '../prompts/prompt.js';
import {
  PERSPECTIVE_STATUSES,
  type PerspectivesProgress,
  type PerspectivesResult,
} from '../perspectives/schema.js';

const now = sql`(cast(unixepoch('subsecond') * 1000 as integer))`;

/** A normalized document; its id is sha256 of the normalized text. */
export const documents = sqliteTable('documents', {
  id: text('id').primaryKey(),
  title: text('title'),
  text: text('text').notNull(),
  chars: integer('chars').notNull(),
  /** How the document arrived: text/plain, text/markdown, text/html, application/pdf. */
  mediaType: text('media_type').notNull().default('text/plain'),
  /**
   * Paged documents (PDF): the character offset in `text` where each page starts (page i + 1
   * at `pageMap[i]`), for naming the page a citation is on (src/ingest/pages.ts `pageOf`).
   * Null for documents without pages.
   */
  pageMap: text('page_map', { mode: 'json' }).$type<number[]>(),
  createdAt: integer('created_at').notNull().default(now),
});
export type DocumentRow = typeof documents.$inferSelect;

/**
 * One brief of one document under one prompt version, provider, model and params: the
 * brief-level cache. `cacheKey` is unique, so two processes sharing the file cannot both
 * start the same brief.
 */
export const briefs = sqliteTable(
  'briefs',
  {
    id: text('id').primaryKey(),
    cacheKey: text('cache_key').notNull(),
    documentId: text('document_id')
      .notNull()
      .references(() => documents.id),
    promptRef: text('prompt_ref').notNull(),
    promptName: text('prompt_name').notNull(),
    promptVersion: integer('prompt_version').notNull(),
    promptSha256: text('prompt_sha256').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    params: text('params', { mode: 'json' }).$type<PromptParams>().notNull(),
    paramsHash: text('params_hash').notNull(),
    status: text('status', { enum: BRIEF_STATUSES }).notNull(),
    chunks: integer('chunks'),
    result: text('result', { mode: 'json' }).$type<Brief>(),
    error: text('error', { mode: 'json' }).$type<BriefFailure>(),
    usage: text('usage', { mode: 'json' }).$type<BriefUsage>(),
    timings: text('timings', { mode: 'json' }).$type<BriefTimings>(),
    /** The model the endpoint reported answering with (may differ from the requested alias). */
    answeredBy: text('answered_by'),
    /**
     * While `running`: the time (ms) until which the process running it holds it. The runner
     * renews it; once it lapses (the process died) another process may resume the brief.
     */
    leaseUntil: integer('lease_until'),
    /**
     * On Workers with a queue (src/briefs/queue.ts): the id of the queue message whose consumer
     * runs the brief; null while it waits in the queue. Node leaves it null.
     */
    holder: text('holder'),
    /** On Workers with a queue: how many times a consumer has started the brief (retries and resumes count). */
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (table) => [
    uniqueIndex('briefs_cache_key_unique').on(table.cacheKey),
    index('briefs_document_idx').on(table.documentId, table.createdAt),
    index('briefs_created_idx').on(table.createdAt, table.id),
    index('briefs_prompt_idx').on(table.promptName, table.promptVersion),
    index('briefs_model_idx').on(table.model),
    index('briefs_status_idx').on(table.status),
  ],
);
export type BriefRow = typeof briefs.$inferSelect;

/**
 * Perspectives across two or more documents (POST /v1/perspectives), cached like briefs:
 * `cacheKey` (the sorted document ids, prompt sha, provider, model, params) is unique.
 */
export const perspectives = sqliteTable(
  'perspectives',
  {
    id: text('id').primaryKey(),
    cacheKey: text('cache_key').notNull(),
    /** The documents, in the order the first request gave them. */
    documentIds: text('document_ids', { mode: 'json' }).$type<string[]>().notNull(),
    promptRef: text('prompt_ref').notNull(),
    promptSha256: text('prompt_sha256').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    paramsHash: text('params_hash').notNull(),
    status: text('status', { enum: PERSPECTIVE_STATUSES }).notNull(),
    progress: text('progress', { mode: 'json' }).$type<PerspectivesProgress>(),
    result: text('result', { mode: 'json' }).$type<PerspectivesResult>(),
    error: text('error', { mode: 'json' }).$type<BriefFailure>(),
    usage: text('usage', { mode: 'json' }).$type<BriefUsage>(),
    /** While `running`: until when the process running it holds it (see briefs.leaseUntil). */
    leaseUntil: integer('lease_until'),
    /** On Workers with a queue: the queue message whose consumer runs it (src/perspectives/queue.ts). */
    holder: text('holder'),
    /** On Workers with a queue: how many times a consumer has taken it. */
    attempts: integer('attempts').notNull().default(0),
    createdAt: integer('created_at').notNull().default(now),
    updatedAt: integer('updated_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (table) => [
    uniqueIndex('perspectives_cache_key_unique').on(table.cacheKey),
    index('perspectives_created_idx').on(table.createdAt, table.id),
  ],
);
export type PerspectivesRow = typeof perspectives.$inferSelect;

/**
 * The LLM-call cache: one validated output per key =
 * sha256(provider, model, params, messages, output schema). Only valid output is stored.
 */
export const llmCalls = sqliteTable('llm_calls', {
  key: text('key').primaryKey(),
  provider: text('provider').notNull(),
  model: text('model').notNull(),
  stage: text('stage').notNull(),
  output: text('output', { mode: 'json' }).notNull(),
  promptTokens: integer('prompt_tokens').notNull(),
  completionTokens: integer('completion_tokens').notNull(),
  createdAt: integer('created_at').notNull().default(now),
});
export type LlmCallRow = typeof llmCalls.$inferSelect;

export const EVAL_STATUSES = ['running', 'succeeded', 'failed'] as const;

/** One corpus evaluation: every listed prompt version over every document of a corpus. */
export const evals = sqliteTable(
  'evals',
  {
    id: text('id').primaryKey(),
    /** Prompt refs as requested, e.g. ["brief@1","brief@2"]. */
    prompts: text('prompts', { mode: 'json' }).$type<string[]>().notNull(),
    /** Where the corpus came from (a folder or a JSONL path), as given. */
    corpus: text('corpus').notNull(),
    documents: integer('documents').notNull(),
    /** Briefs finished so far (of documents × prompts), for progress while it runs. */
    done: integer('done').notNull().default(0),
    /** While running: renewed by the process running it; once lapsed, that process has stopped. */
    leaseUntil: integer('lease_until'),
    /** On Workers with a queue: the queue message whose consumer is taking a step of the run. */
    holder: text('holder'),
    /** On Workers with a queue: how many times the sweep has resumed the run after its lease lapsed. */
    attempts: integer('attempts').notNull().default(0),
    /**
     * On Workers with a queue: the corpus (each document's name, title, id and reference summary)
     * and, for each prompt version, the brief sent for it (src/evals/queue.ts). Null on Node.
     */
    plan: text('plan', { mode: 'json' }).$type<Record<string, unknown>>(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    status: text('status', { enum: EVAL_STATUSES }).notNull(),
    /** The full report (JSON), once finished. */
    report: text('report', { mode: 'json' }).$type<Record<string, unknown>>(),
    error: text('error'),
    createdAt: integer('created_at').notNull().default(now),
    finishedAt: integer('finished_at'),
  },
  (table) => [index('evals_created_idx').on(table.createdAt, table.id)],
);
export type EvalRow = typeof evals.$inferSelect;

/**
 * The deployment-wide LLM budget on Workers (LLM_GLOBAL_CONCURRENCY, src/llm/slots.ts): one row
 * per LLM call in flight anywhere, held until `until` (ms) and renewed while the call runs, so
 * the slot of an invocation that died frees itself.
 */
export const llmSlots = sqliteTable(
  'llm_slots',
  {
    id: text('id').primaryKey(),
    until: integer('until').notNull(),
  },
  (table) => [index('llm_slots_until_idx').on(table.until)],
);
