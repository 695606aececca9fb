import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { briefs, documents, type BriefRow, type BriefStatus } from '../db/schema.js';
import { AppError } from '../errors.js';
import { sha256Hex, stableStringify } from '../lib/hash.js';
import type { Logger } from '../lib/log.js';
import type { Provider } from '../llm/provider.js';
import type { LlmCallRunner } from '../pipeline/llm-calls.js';
import { normalizeText } from '../pipeline/normalize.js';
import type { PromptRegistry } from '../prompts/registry.js';
import { runBrief } from './run.js';
import { toBriefView, type BriefView } from './view.js';

export interface BriefServiceDeps {
  db: Database;
  prompts: PromptRegistry;
  provider: Provider;
  runner: LlmCallRunner;
  logger: Logger;
  defaultPrompt: string;
  overlapTokens: number;
  /** Keeps background work alive after the response (Workers' waitUntil; a no-op on Node). */
  background: (work: Promise<unknown>) => void;
}

export interface SubmitInput {
  text: string;
  title?: string | undefined;
  prompt?: string | undefined;
  model?: string | undefined;
  mediaType?: string | undefined;
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

/** The brief use cases: submit a document, read one brief, list briefs. Knows nothing of HTTP. */
export class BriefService {
  /** Briefs running in this process, by id: identical submissions join the run instead of starting one. */
  private readonly running = new Map<string, Promise<void>>();

  constructor(private readonly deps: BriefServiceDeps) {}

  async submit(input: SubmitInput, waitMs: number): Promise<{ outcome: SubmitOutcome; view: BriefView }> {
    const { db, provider } = this.deps;
    const text = normalizeText(input.text);
    if (text.length === 0) throw new AppError('invalid_request', 'The document is empty (no text after normalizing whitespace)');
    const title = input.title?.trim() || null;
    const prompt = this.deps.prompts.resolve(input.prompt ?? this.deps.defaultPrompt);
    const model = input.model ?? provider.defaultModel;
    if (provider.name === 'local' && model !== provider.defaultModel) {
      throw new AppError('invalid_request', `The local provider has one model, "${provider.defaultModel}"; got "${model}"`);
    }

    const documentId = await sha256Hex(text);
    const paramsHash = await sha256Hex(stableStringify(prompt.params));
    const cacheKey = await sha256Hex(stableStringify([documentId, prompt.ref, prompt.sha256, provider.name, model, paramsHash]));

    const existing = await this.findByCacheKey(cacheKey);
    if (existing?.status === 'succeeded') return { outcome: 'cached', view: toBriefView(existing, await this.titleOf(documentId), true) };

    let row = existing;
    if (!row || (row.status === 'failed' || !this.running.has(row.id))) {
      await db
        .insert(documents)
        .values({ id: documentId, title, text, chars: text.length, mediaType: input.mediaType ?? 'text/plain', createdAt: Date.now() })
        .onConflictDoNothing();
      row = await this.claim(row, {
        cacheKey,
        documentId,
        promptRef: prompt.ref,
        promptName: prompt.name,
        promptVersion: prompt.version,
        promptSha256: prompt.sha256,
        provider: provider.name,
        model,
        params: prompt.params,
        paramsHash,
      });
      if (!this.running.has(row.id)) {
        const run = runBrief(
          { db, runner: this.deps.runner, logger: this.deps.logger, overlapTokens: this.deps.overlapTokens },
          { briefId: row.id, text, title: title ?? (await this.titleOf(documentId)), prompt, provider, model },
        ).finally(() => this.running.delete(row!.id));
        this.running.set(row.id, run);
        this.deps.background(run);
      }
    }

    const finished = await this.waitFor(row.id, waitMs);
    const view = toBriefView(finished, await this.titleOf(documentId), false);
    const outcome = finished.status === 'succeeded' ? 'created' : finished.status === 'failed' ? 'failed' : 'running';
    return { outcome, view };
  }

  async get(id: string): Promise<BriefView> {
    if (!BRIEF_ID.test(id)) throw new AppError('invalid_request', `"${id}" is not a brief id (brf_ followed by 24 hex digits)`);
    const [row] = await this.deps.db.select().from(briefs).where(eq(briefs.id, id)).limit(1);
    if (!row) throw new AppError('not_found', `No brief with id ${id}`);
    return toBriefView(row, await this.titleOf(row.documentId), false);
  }

  async list(filters: ListFilters): Promise<{ items: BriefView[]; nextCursor: string | null }> {
    const conditions: SQL[] = [];
    if (filters.document) conditions.push(eq(briefs.documentId, filters.document));
    if (filters.model) conditions.push(eq(briefs.model, filters.model));
    if (filters.provider) conditions.push(eq(briefs.provider, filters.provider));
    if (filters.status) conditions.push(eq(briefs.status, filters.status));
    if (filters.prompt) {
      const [name, version] = filters.prompt.split('@');
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
    const titles = await this.titlesOf(page.map((row) => row.documentId));
    const last = page.at(-1);
    return {
      items: page.map((row) => toBriefView(row, titles.get(row.documentId) ?? null, false)),
      nextCursor: rows.length > filters.limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
  }

  /** The newest succeeded brief of a document under one prompt version, provider and model. */
  async findSucceeded(documentId: string, promptRef: string, model?: string): Promise<BriefView | undefined> {
    const prompt = this.deps.prompts.resolve(promptRef);
    const [row] = await this.deps.db
      .select()
      .from(briefs)
      .where(
        and(
          eq(briefs.documentId, documentId),
          eq(briefs.promptName, prompt.name),
          eq(briefs.promptVersion, prompt.version),
          eq(briefs.promptSha256, prompt.sha256),
          eq(briefs.provider, this.deps.provider.name),
          eq(briefs.model, model ?? this.deps.provider.defaultModel),
          eq(briefs.status, 'succeeded'),
        ),
      )
      .orderBy(desc(briefs.createdAt))
      .limit(1);
    return row ? toBriefView(row, await this.titleOf(documentId), true) : undefined;
  }

  /** Resolves when every brief running in this process has finished (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  /** Marks the row `running` for this process: a new row, or a failed/abandoned one taken over. */
  private async claim(existing: BriefRow | undefined, fields: Omit<BriefRow, RowDefaults>): Promise<BriefRow> {
    const now = Date.now();
    if (existing) {
      await this.deps.db
        .update(briefs)
        .set({ status: 'running', error: null, result: null, usage: null, timings: null, updatedAt: now, finishedAt: null })
        .where(eq(briefs.id, existing.id));
    } else {
      await this.deps.db
        .insert(briefs)
        .values({ ...fields, id: newBriefId(), status: 'running', createdAt: now, updatedAt: now })
        .onConflictDoNothing();
    }
    // Another request may have inserted the row first: the stored row is the one that counts.
    const row = await this.findByCacheKey(fields.cacheKey);
    if (!row) throw new Error('brief row vanished after insert');
    return row;
  }

  private async waitFor(id: string, waitMs: number): Promise<BriefRow> {
    const run = this.running.get(id);
    if (run && waitMs > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([run, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
    const [row] = await this.deps.db.select().from(briefs).where(eq(briefs.id, id)).limit(1);
    if (!row) throw new Error(`brief ${id} vanished`);
    return row;
  }

  private async findByCacheKey(cacheKey: string): Promise<BriefRow | undefined> {
    const [row] = await this.deps.db.select().from(briefs).where(eq(briefs.cacheKey, cacheKey)).limit(1);
    return row;
  }

  private async titleOf(documentId: string): Promise<string | null> {
    return (await this.titlesOf([documentId])).get(documentId) ?? null;
  }

  private async titlesOf(ids: string[]): Promise<Map<string, string | null>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const rows = await this.deps.db
      .select({ id: documents.id, title: documents.title })
      .from(documents)
      .where(or(...unique.map((id) => eq(documents.id, id))));
    return new Map(rows.map((row) => [row.id, row.title]));
  }
}

type RowDefaults = 'id' | 'status' | 'chunks' | 'result' | 'error' | 'usage' | 'timings' | 'answeredBy' | 'createdAt' | 'updatedAt' | 'finishedAt';

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
