import { and, eq, or, sql } from 'drizzle-orm';
import { leaseLapsed } from '../db/leases.js';
import { briefs, documents, type BriefRow } from '../db/schema.js';
import { randomHex } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import type { Provider } from '../llm/provider.js';
import type { Chunk } from '../pipeline/chunk.js';
import type { Priority } from '../pipeline/fair-limit.js';
import type { Prompt } from '../prompts/prompt.js';
import type { BriefContext } from './context.js';
import { runBrief } from './run.js';

/** The columns a new brief row is given; the rest start as defaults or are set by the claim. */
export type NewBriefRow = Omit<
  BriefRow,
  | 'id'
  | 'status'
  | 'chunks'
  | 'result'
  | 'error'
  | 'usage'
  | 'timings'
  | 'answeredBy'
  | 'leaseUntil'
  | 'holder'
  | 'attempts'
  | 'createdAt'
  | 'updatedAt'
  | 'finishedAt'
>;

/** A brief is taken over when it failed, or when it runs under a lease that lapsed (its process died). */
const takeable = (now: number) =>
  or(eq(briefs.status, 'failed'), and(eq(briefs.status, 'running'), leaseLapsed(briefs, now)));

/**
 * Takes the brief's row for this process: inserts it, or takes over a failed one or one whose
 * lease lapsed. Each write returns the row it wrote, so nothing is read back. `ours` is false
 * when another live process holds it (`row` is then the stored row, for waiting on).
 */
export async function claimBrief(
  context: BriefContext,
  existing: BriefRow | undefined,
  fields: NewBriefRow,
): Promise<{ row: BriefRow; ours: boolean }> {
  const { db, leaseMs } = context;
  const now = Date.now();
  const leaseUntil = now + leaseMs;
  let current = existing;
  if (!current) {
    const [inserted] = await db
      .insert(briefs)
      .values({
        ...fields,
        id: newBriefId(),
        status: 'running',
        leaseUntil,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning();
    if (inserted) return { row: inserted, ours: true };
    // Another request (or process) inserted it first: the stored row is the one that counts.
    [current] = await db.select().from(briefs).where(eq(briefs.cacheKey, fields.cacheKey)).limit(1);
    if (!current) throw new Error('brief row vanished after a conflicting insert');
  }
  if (context.running.has(current.id)) return { row: current, ours: false };
  const [taken] = await db
    .update(briefs)
    .set({
      status: 'running',
      error: null,
      result: null,
      usage: null,
      timings: null,
      leaseUntil,
      // On Workers: queued, unheld. A failed brief sent again starts its attempts afresh.
      holder: null,
      attempts: sql`case when ${briefs.status} = 'failed' then 0 else ${briefs.attempts} end`,
      updatedAt: now,
      finishedAt: null,
    })
    .where(and(eq(briefs.id, current.id), takeable(now)))
    .returning();
  return taken ? { row: taken, ours: true } : { row: current, ours: false };
}

/** What a claimed brief is run on. */
export interface BriefWork {
  text: string;
  /** The text's chunks when the caller has made them already (submitBrief checks their count). */
  chunks?: Chunk[];
  title: string | null;
  prompt: Prompt;
  provider: Provider;
  /** Whose calls go first at the LLM limit: interactive (a user's) when not given. */
  priority?: Priority | undefined;
  /** Make every LLM call anew, replacing the call cache's answers (`?refresh=calls`). */
  refreshCalls?: boolean | undefined;
}

/** Runs a claimed brief in the background, renewing its lease until it finishes. */
export function startBrief(context: BriefContext, row: BriefRow, work: BriefWork): void {
  const { db, leaseMs, logger } = context;
  const stopRenewing = renewLease(
    leaseMs,
    (until) =>
      db
        .update(briefs)
        .set({ leaseUntil: until })
        .where(and(eq(briefs.id, row.id), eq(briefs.status, 'running'))),
    (error) => logger.warn('lease renewal failed', { briefId: row.id, reason: String(error) }),
  );
  const run = runBrief(
    {
      db,
      runner: context.runner,
      logger,
      overlapTokens: context.overlapTokens,
      maxChunks: context.maxChunks,
      chunk: context.chunk,
      verify: context.verify,
      contextTokens: context.contextTokens,
    },
    {
      briefId: row.id,
      model: row.model,
      ...work,
      onProgress: (progress) => context.events.emit(row.id, progress),
    },
  ).finally(() => {
    stopRenewing();
    context.running.delete(row.id);
    context.events.end(row.id);
  });
  context.running.set(row.id, run);
  context.background(run);
}

/**
 * Resumes briefs left `running` by a process that died (lease lapsed). Map results it had
 * finished are in the LLM-call cache, so only the rest is paid for. A brief this process
 * cannot resume (its prompt or provider is not configured here) is marked failed.
 */
export async function recoverBriefs(context: BriefContext): Promise<string[]> {
  const { db, providers, prompts, logger } = context;
  const stale = await db
    .select()
    .from(briefs)
    .where(and(eq(briefs.status, 'running'), takeable(Date.now())));
  const resumed: string[] = [];
  for (const row of stale) {
    if (context.running.has(row.id)) continue;
    const prompt = prompts.list().find((candidate) => candidate.ref === row.promptRef);
    const provider = providers.find(row.provider);
    if (!prompt || prompt.sha256 !== row.promptSha256 || !provider) {
      const message = `Interrupted, and ${row.promptRef} with provider ${row.provider} is not available here to resume it`;
      await db
        .update(briefs)
        .set({
          status: 'failed',
          error: { code: 'internal', message },
          leaseUntil: null,
          updatedAt: Date.now(),
          finishedAt: Date.now(),
        })
        .where(and(eq(briefs.id, row.id), eq(briefs.status, 'running')));
      continue;
    }
    const [document] = await db
      .select()
      .from(documents)
      .where(eq(documents.id, row.documentId))
      .limit(1);
    if (!document) continue;
    const claimed = await claimBrief(context, row, row);
    if (!claimed.ours) continue;
    startBrief(context, claimed.row, {
      text: document.text,
      title: document.title,
      prompt,
      provider,
    });
    resumed.push(row.id);
    logger.info('brief resumed', { briefId: row.id });
  }
  return resumed;
}

function newBriefId(): string {
  return `brf_${randomHex(12)}`;
}
