import { and, desc, eq, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { briefs, documents, type BriefRow, type BriefStatus } from '../db/schema.js';
import { documentTitles, saveDocument } from '../documents/service.js';
import { AppError } from '../errors.js';
import { sha256Hex, stableStringify } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import type { Logger } from '../lib/log.js';
import type { Provider } from '../llm/provider.js';
import { modelFor, type Providers } from '../llm/select.js';
import type { LlmCallRunner } from '../pipeline/llm-calls.js';
import { normalizeText } from '../pipeline/normalize.js';
import type { Prompt } from '../prompts/prompt.js';
import type { PromptRegistry } from '../prompts/registry.js';
import { BriefEventHub } from './events.js';
import { runBrief } from './run.js';
import { toBriefView, type BriefView } from './view.js';

export interface BriefServiceDeps {
  db: Database;
  prompts: PromptRegistry;
  providers: Providers;
  runner: LlmCallRunner;
  logger: Logger;
  defaultPrompt: string;
  overlapTokens: number;
  /** How long a running brief's lease lasts without renewal before another process may resume it. */
  leaseMs: number;
  /** Interval between re-reads of a brief another process runs. */
  pollMs: number;
  /** Keeps background work alive after the response (Workers' waitUntil; a no-op on Node). */
  background: (work: Promise<unknown>) => void;
}

export interface SubmitInput {
  text: string;
  title?: string | undefined;
  prompt?: string | undefined;
  /** A provider of this deployment by name (`openai`, `local`); the default when absent. */
  provider?: string | undefined;
  model?: string | undefined;
  mediaType?: string | undefined;
  /** Paged documents: where each page starts in the normalized text (src/ingest/pages.ts). */
  pageMap?: number[] | undefined;
}

/** How a submission was answered: from the cache, made now, still running, or failed. */
export type SubmitOutcome = 'cached' | 'created' | 'running' | 'failed';

export interface ListFilters {
  document?: string | undefined;
  prompt?: string | undefined;
  model?: string | undefined;
  provider?: string | undefined;
  status?: BriefStatus | undefined;
  limit: number;
  cursor?: string | undefined;
}

const BRIEF_ID = /^brf_[0-9a-f]{24}$/;
const SUCCEEDED_CACHE_SIZE = 1_000;

/** The brief use cases: submit a document, read one brief, list briefs. Knows nothing of HTTP. */
export class BriefService {
  /** Briefs running in this process, by id: identical submissions join the run instead of starting one. */
  private readonly running = new Map<string, Promise<void>>();
  /** Progress of the briefs running in this process, for `GET /v1/briefs/:id/events`. */
  readonly events = new BriefEventHub();

  /** The hot-path reads (GET of a brief, POST of a briefed document): one joined query each, prepared once. */
  private readonly reads;
  /**
   * Views of succeeded briefs by id, served without a query: a succeeded brief is final (nothing
   * rewrites it), so the copy cannot go stale. Oldest first, capped at SUCCEEDED_CACHE_SIZE.
   */
  private readonly succeeded = new Map<string, BriefView>();
  /** The same, by the parts of their brief-cache key, as a repeated POST answers them (`cached: true`). */
  private readonly succeededByKey = new Map<string, BriefView>();
  /** sha256 of each prompt version's params: they never change, so hash them once. */
  private readonly paramsHashes = new WeakMap<Prompt, Promise<string>>();

  constructor(private readonly deps: BriefServiceDeps) {
    const withTitle = (column: typeof briefs.id | typeof briefs.cacheKey) =>
      deps.db
        .select({ row: briefs, title: documents.title })
        .from(briefs)
        .leftJoin(documents, eq(documents.id, briefs.documentId))
        .where(eq(column, sql.placeholder('key')))
        .limit(1)
        .prepare();
    this.reads = { byId: withTitle(briefs.id), byCacheKey: withTitle(briefs.cacheKey) };
  }

  async submit(input: SubmitInput, waitMs: number): Promise<{ outcome: SubmitOutcome; view: BriefView }> {
    const provider = this.deps.providers.get(input.provider);
    const text = normalizeText(input.text);
    if (text.length === 0) throw new AppError('invalid_request', 'The document is empty (no text after normalizing whitespace)');
    const title = input.title?.trim() || null;
    const prompt = this.deps.prompts.resolve(input.prompt ?? this.deps.defaultPrompt);
    const model = modelFor(provider, input.model);

    const documentId = await sha256Hex(text);
    let paramsHash = this.paramsHashes.get(prompt);
    if (!paramsHash) this.paramsHashes.set(prompt, (paramsHash = sha256Hex(stableStringify(prompt.params))));
    // The parts are all strings, so plain JSON is already the stable encoding the key is made of.
    const keyParts = JSON.stringify([documentId, prompt.ref, prompt.sha256, provider.name, model, await paramsHash]);
    const document = { id: documentId, title, text, mediaType: input.mediaType ?? 'text/plain', pageMap: input.pageMap ?? null };
    const known = this.succeededByKey.get(keyParts);
    // A paged document (a PDF) answered from the cache may still bring the page map its text lacked.
    if (known) {
      if (document.pageMap) await this.storeDocument(document);
      return { outcome: 'cached', view: known };
    }
    const cacheKey = await sha256Hex(keyParts);
    const [hit] = await this.reads.byCacheKey.all({ key: cacheKey });
    if (hit?.row.status === 'succeeded') {
      if (document.pageMap) await this.storeDocument(document);
      const view = toBriefView(hit.row, hit.title, true);
      remember(this.succeededByKey, keyParts, view);
      return { outcome: 'cached', view };
    }
    const existing = hit?.row;

    let row = existing;
    await this.storeDocument(document);
    if (!row || !this.running.has(row.id)) {
      const claimed = await this.claim(row, {
        cacheKey,
        documentId,
        promptRef: prompt.ref,
        promptName: prompt.name,
        promptVersion: prompt.version,
        promptSha256: prompt.sha256,
        provider: provider.name,
        model,
        params: prompt.params,
        paramsHash: await paramsHash,
      });
      row = claimed.row;
      if (claimed.ours) this.start(row, text, title ?? (await this.titleOf(documentId)), prompt, provider);
    }

    const finished = await this.waitFor(row.id, waitMs);
    const view = toBriefView(finished, await this.titleOf(documentId), false);
    const outcome = finished.status === 'succeeded' ? 'created' : finished.status === 'failed' ? 'failed' : 'running';
    return { outcome, view };
  }

  async get(id: string): Promise<BriefView> {
    if (!BRIEF_ID.test(id)) throw new AppError('invalid_request', `"${id}" is not a brief id (brf_ followed by 24 hex digits)`);
    const known = this.succeeded.get(id);
    if (known) return known;
    const [hit] = await this.reads.byId.all({ key: id });
    if (!hit) throw new AppError('not_found', `No brief with id ${id}`);
    const view = toBriefView(hit.row, hit.title, false);
    if (view.status === 'succeeded') remember(this.succeeded, id, view);
    return view;
  }

  async list(filters: ListFilters): Promise<{ items: BriefView[]; nextCursor: string | null }> {
    const conditions: SQL[] = [];
    if (filters.document) conditions.push(eq(briefs.documentId, filters.document));
    if (filters.model) conditions.push(eq(briefs.model, filters.model));
    if (filters.provider) conditions.push(eq(briefs.provider, filters.provider));
    if (filters.status) conditions.push(eq(briefs.status, filters.status));
    if (filters.prompt) {
      const [name, version] = filters.prompt.split('@');
      if (version !== undefined && version !== 'latest' && !/^\d+$/.test(version)) {
        throw new AppError('invalid_request', `"${filters.prompt}" is not a prompt version: give name, name@N or name@latest`);
      }
      conditions.push(eq(briefs.promptName, name!));
      if (version && version !== 'latest') conditions.push(eq(briefs.promptVersion, Number(version)));
      if (version === 'latest') conditions.push(eq(briefs.promptVersion, this.deps.prompts.resolve(filters.prompt).version));
    }
    if (filters.cursor) {
      const [createdAt, id] = decodeCursor(filters.cursor);
      conditions.push(or(lt(briefs.createdAt, createdAt), and(eq(briefs.createdAt, createdAt), lt(briefs.id, id)))!);
    }
    const rows = await this.deps.db
      .select()
      .from(briefs)
      .where(and(...conditions))
      .orderBy(desc(briefs.createdAt), desc(briefs.id))
      .limit(filters.limit + 1);
    const page = rows.slice(0, filters.limit);
    const titles = await documentTitles(this.deps.db, page.map((row) => row.documentId));
    const last = page.at(-1);
    return {
      items: page.map((row) => toBriefView(row, titles.get(row.documentId) ?? null, false)),
      nextCursor: rows.length > filters.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  /** The newest succeeded brief of a document under one prompt version, provider (default: the default) and model (default: the provider's). */
  async findSucceeded(documentId: string, promptRef: string, model?: string, providerName?: string): Promise<BriefView | undefined> {
    const prompt = this.deps.prompts.resolve(promptRef);
    const provider = this.deps.providers.get(providerName);
    const [row] = await this.deps.db
      .select()
      .from(briefs)
      .where(
        and(
          eq(briefs.documentId, documentId),
          eq(briefs.promptName, prompt.name),
          eq(briefs.promptVersion, prompt.version),
          eq(briefs.promptSha256, prompt.sha256),
          eq(briefs.provider, provider.name),
          eq(briefs.model, model ?? provider.defaultModel),
          eq(briefs.status, 'succeeded'),
        ),
      )
      .orderBy(desc(briefs.createdAt))
      .limit(1);
    return row ? toBriefView(row, await this.titleOf(documentId), true) : undefined;
  }

  /** Whether this process runs the brief now (so its progress arrives on `events`). */
  isRunning(id: string): boolean {
    return this.running.has(id);
  }

  /** Resolves when every brief running in this process has finished (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Takes the row for this process: inserts it, or takes over a failed one or one whose lease
   * lapsed (its process died). `ours` is false when another live process holds it.
   */
  private async claim(existing: BriefRow | undefined, fields: Omit<BriefRow, RowDefaults>): Promise<{ row: BriefRow; ours: boolean }> {
    const now = Date.now();
    const leaseUntil = now + this.deps.leaseMs;
    let ours = false;
    if (!existing) {
      const inserted = await this.deps.db
        .insert(briefs)
        .values({ ...fields, id: newBriefId(), status: 'running', leaseUntil, createdAt: now, updatedAt: now })
        .onConflictDoNothing()
        .returning({ id: briefs.id });
      ours = inserted.length > 0;
    }
    // Another request may have inserted the row first: the stored row is the one that counts.
    const current = ours ? undefined : (existing ?? (await this.findByCacheKey(fields.cacheKey)));
    if (current && !this.running.has(current.id)) {
      const taken = await this.deps.db
        .update(briefs)
        .set({ status: 'running', error: null, result: null, usage: null, timings: null, leaseUntil, updatedAt: now, finishedAt: null })
        .where(and(eq(briefs.id, current.id), or(eq(briefs.status, 'failed'), and(eq(briefs.status, 'running'), or(isNull(briefs.leaseUntil), lt(briefs.leaseUntil, now))))))
        .returning({ id: briefs.id });
      ours = taken.length > 0;
    }
    const row = await this.findByCacheKey(fields.cacheKey);
    if (!row) throw new Error('brief row vanished after insert');
    return { row, ours };
  }

  /** Runs a claimed brief in the background, renewing its lease until it finishes. */
  private start(row: BriefRow, text: string, title: string | null, prompt: Prompt, provider: Provider): void {
    const { db, leaseMs } = this.deps;
    const stopRenewing = renewLease(
      leaseMs,
      (until) => db.update(briefs).set({ leaseUntil: until }).where(and(eq(briefs.id, row.id), eq(briefs.status, 'running'))),
      (error) => this.deps.logger.warn('lease renewal failed', { briefId: row.id, reason: String(error) }),
    );
    const run = runBrief(
      { db, runner: this.deps.runner, logger: this.deps.logger, overlapTokens: this.deps.overlapTokens },
      { briefId: row.id, text, title, prompt, provider, model: row.model, onProgress: (progress) => this.events.emit(row.id, progress) },
    ).finally(() => {
      stopRenewing();
      this.running.delete(row.id);
      this.events.end(row.id);
    });
    this.running.set(row.id, run);
    this.deps.background(run);
  }

  /**
   * Resumes briefs left `running` by a process that died (lease lapsed). Map results it had
   * finished are in the LLM-call cache, so only the rest is paid for. A brief this process
   * cannot resume (its prompt or provider is not configured here) is marked failed.
   */
  async recover(): Promise<string[]> {
    const { db, providers, prompts } = this.deps;
    const stale = await db
      .select()
      .from(briefs)
      .where(and(eq(briefs.status, 'running'), or(isNull(briefs.leaseUntil), lt(briefs.leaseUntil, Date.now()))));
    const resumed: string[] = [];
    for (const row of stale) {
      if (this.running.has(row.id)) continue;
      let prompt: Prompt | undefined;
      try {
        prompt = prompts.resolve(row.promptRef);
      } catch {
        prompt = undefined;
      }
      const provider = providers.find(row.provider);
      if (!prompt || prompt.sha256 !== row.promptSha256 || !provider) {
        await db
          .update(briefs)
          .set({
            status: 'failed',
            error: { code: 'internal', message: `Interrupted, and ${row.promptRef} with provider ${row.provider} is not available here to resume it` },
            leaseUntil: null,
            updatedAt: Date.now(),
            finishedAt: Date.now(),
          })
          .where(and(eq(briefs.id, row.id), eq(briefs.status, 'running')));
        continue;
      }
      const [document] = await db.select().from(documents).where(eq(documents.id, row.documentId)).limit(1);
      if (!document) continue;
      const claimed = await this.claim(row, row);
      if (!claimed.ours) continue;
      this.start(claimed.row, document.text, document.title, prompt, provider);
      resumed.push(row.id);
      this.deps.logger.info('brief resumed', { briefId: row.id });
    }
    return resumed;
  }

  /** Waits up to `waitMs` for the brief to finish: on its run in this process, else by polling the row. */
  private async waitFor(id: string, waitMs: number): Promise<BriefRow> {
    const deadline = Date.now() + waitMs;
    const run = this.running.get(id);
    if (run && waitMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([run, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    for (;;) {
      const [row] = await this.deps.db.select().from(briefs).where(eq(briefs.id, id)).limit(1);
      if (!row) throw new Error(`brief ${id} vanished`);
      if (row.status !== 'running' || this.running.has(id) || Date.now() >= deadline) return row;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.deps.pollMs, deadline - Date.now())));
    }
  }

  private async findByCacheKey(cacheKey: string): Promise<BriefRow | undefined> {
    const [row] = await this.deps.db.select().from(briefs).where(eq(briefs.cacheKey, cacheKey)).limit(1);
    return row;
  }

  /** Stores the document; when that changed a stored one (it gained a title), views made before are dropped. */
  private async storeDocument(document: Parameters<typeof saveDocument>[1]): Promise<void> {
    if (!(await saveDocument(this.deps.db, document))) return;
    for (const views of [this.succeeded, this.succeededByKey]) {
      for (const [key, view] of views) if (view.document.id === document.id) views.delete(key);
    }
  }

  private async titleOf(documentId: string): Promise<string | null> {
    return (await documentTitles(this.deps.db, [documentId])).get(documentId) ?? null;
  }
}

type RowDefaults = 'id' | 'status' | 'chunks' | 'result' | 'error' | 'usage' | 'timings' | 'answeredBy' | 'leaseUntil' | 'createdAt' | 'updatedAt' | 'finishedAt';

/**
 * Keeps a succeeded brief's view (it never changes again), evicting the oldest past the cap.
 * The view is frozen: callers may rely on that to reuse what they derive from it (src/routes/json.ts).
 */
function remember(cache: Map<string, BriefView>, key: string, view: BriefView): void {
  cache.set(key, Object.freeze(view));
  if (cache.size > SUCCEEDED_CACHE_SIZE) cache.delete(cache.keys().next().value!);
}

function newBriefId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `brf_${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function encodeCursor(createdAt: number, id: string): string {
  return btoa(`${createdAt}:${id}`).replace(/=+$/, '');
}

function decodeCursor(cursor: string): [number, string] {
  let decoded = '';
  try {
    decoded = atob(cursor);
  } catch {
    // fall through to the error below
  }
  const match = /^(\d{1,15}):(brf_[0-9a-f]{24})$/.exec(decoded);
  if (!match) throw new AppError('invalid_request', 'The cursor is not one this API returned');
  return [Number(match[1]), match[2]!];
}
