import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { failedUnderLease, leaseLapsed, takeableBy } from '../db/leases.js';
import { briefs, documents, type BriefRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { renewLease } from '../lib/lease.js';
import { LlmError } from '../llm/provider.js';
import type { BriefContext } from './context.js';
import type { BriefWork } from './lease.js';
import { runBrief } from './run.js';

/**
 * Briefs on a work queue (Cloudflare Queues, the Worker's WORK_QUEUE binding). A request's
 * `waitUntil` ends about 30 s after its response, and a brief of a long document takes minutes:
 * on a Worker with the queue bound, a claimed brief is sent here instead of run by the request,
 * and a queue consumer runs it (map, reduce, verify, store) with up to 15 minutes of wall time.
 *
 * Delivery is at least once, so every step is idempotent. A message carries ids, never the
 * document: the consumer reads the document and the brief's settings from D1. The consumer
 * takes the brief by writing its message id into `holder` (only when nobody holds it, the same
 * message holds it already, or the holder's lease lapsed), renews the lease while it runs, and
 * finishes the row. LLM calls that finished before an interruption are in the LLM-call cache, so
 * a retry pays only for the rest. A cron trigger calls `sweepBriefs`, which sends the briefs
 * whose lease lapsed (their consumer died, or their message was lost) to the queue again.
 */

/** A message of the work queue: ids only. */
export const WorkMessage = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('brief'),
    briefId: z.string().min(1),
    /** The title the submission gave (it renders into every call); the stored document's when absent. */
    title: z.string().nullable().optional(),
    /** `?refresh=calls`: the first attempt makes every LLM call anew; a retry reuses its calls. */
    refreshCalls: z.boolean().optional(),
  }),
  z.object({ kind: z.literal('eval'), evalId: z.string().min(1) }),
  /** A perspectives run (src/perspectives/queue.ts). */
  z.object({ kind: z.literal('perspectives'), perspectivesId: z.string().min(1) }),
]);
export type WorkMessage = z.infer<typeof WorkMessage>;
export type BriefMessage = Extract<WorkMessage, { kind: 'brief' }>;

/** Where work is sent: the shape of Cloudflare's Queue producer binding. */
export interface WorkQueue {
  send(message: WorkMessage, options?: { delaySeconds?: number }): Promise<unknown>;
}

/** One delivery of a message, as a consumer sees it: the shape of Cloudflare's queue Message. */
export interface Delivery {
  /** The message's id: the same on every delivery of that message. */
  readonly id: string;
  /** Deliveries so far, this one included. */
  readonly attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
}

/** The wait before the queue delivers a brief again after a retryable failure: 5 s, 10 s, 20 s… at most 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 5 * 2 ** Math.max(0, attempts - 1));
}

/** Puts a claimed brief on the queue. */
export async function sendBrief(
  queue: WorkQueue,
  briefId: string,
  options: { title?: string | null; refreshCalls?: boolean | undefined } = {},
): Promise<void> {
  await queue.send({
    kind: 'brief',
    briefId,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.refreshCalls ? { refreshCalls: true } : {}),
  });
}

/**
 * Runs the brief of one delivery. Acks when the brief is finished (or was finished, or another
 * live consumer holds it); asks the queue to deliver it again after a retryable failure (the
 * endpoint down or rate-limiting past its retries, a D1 error) while attempts remain, leaving
 * the row `running` under a lease that covers the wait.
 */
export async function consumeBrief(
  context: BriefContext,
  message: BriefMessage,
  delivery: Delivery,
): Promise<void> {
  const { db, leaseMs, logger, maxAttempts } = context;
  const now = Date.now();
  const [row] = await db
    .update(briefs)
    .set({
      holder: delivery.id,
      leaseUntil: now + leaseMs,
      attempts: sql`${briefs.attempts} + 1`,
      updatedAt: now,
    })
    .where(and(eq(briefs.id, message.briefId), takeableBy(briefs, delivery.id, now)))
    .returning();
  if (!row) return delivery.ack();
  if (row.attempts > maxAttempts) {
    await failBrief(context, row.id, interrupted(maxAttempts));
    return delivery.ack();
  }
  const work = await workOf(context, row);
  if (typeof work === 'string') {
    await failBrief(context, row.id, work);
    return delivery.ack();
  }

  const held = and(
    eq(briefs.id, row.id),
    eq(briefs.status, 'running'),
    eq(briefs.holder, delivery.id),
  );
  const stopRenewing = renewLease(
    leaseMs,
    (until) => db.update(briefs).set({ leaseUntil: until }).where(held),
    (error) => logger.warn('lease renewal failed', { briefId: row.id, reason: String(error) }),
  );
  try {
    await runBrief(context, {
      briefId: row.id,
      model: row.model,
      ...work,
      ...(message.title !== undefined ? { title: message.title } : {}),
      refreshCalls: message.refreshCalls === true && row.attempts === 1,
      retry: (error) => row.attempts < maxAttempts && retryable(error),
      holder: delivery.id,
      onProgress: (progress) => context.events.emit(row.id, progress),
    });
    delivery.ack();
  } catch (error) {
    // runBrief left the row running: its lease covers the wait, so no sweep takes it meanwhile.
    const delaySeconds = retryDelaySeconds(row.attempts);
    await db
      .update(briefs)
      .set({ leaseUntil: Date.now() + delaySeconds * 1000 + leaseMs })
      .where(held);
    logger.warn('brief will be retried', {
      briefId: row.id,
      attempt: row.attempts,
      delaySeconds,
      reason: error instanceof Error ? error.message : String(error),
    });
    delivery.retry({ delaySeconds });
  } finally {
    stopRenewing();
    context.events.end(row.id);
  }
}

/** Worth another attempt: the endpoint may recover (LlmError says), and so may D1 (anything unexpected). */
function retryable(error: unknown): boolean {
  if (error instanceof LlmError) return error.retryable;
  return !(error instanceof AppError);
}

/**
 * The cron trigger's sweep: every brief left `running` under a lapsed lease (its consumer died,
 * or its message was lost) is resumed (see resumeBrief). At most `limit` briefs a sweep, to stay
 * within an invocation's D1 queries (50 on Workers Free). Returns the ids sent.
 */
export async function sweepBriefs(
  context: BriefContext,
  queue: WorkQueue,
  limit = 20,
): Promise<string[]> {
  const rows = await context.db
    .select({ id: briefs.id, attempts: briefs.attempts })
    .from(briefs)
    .where(and(eq(briefs.status, 'running'), leaseLapsed(briefs, Date.now())))
    .limit(limit);
  const sent: string[] = [];
  for (const row of rows) if (await resumeBrief(context, queue, row)) sent.push(row.id);
  return sent;
}

/**
 * A brief `running` under a lapsed lease goes to the queue again, unheld, under a new lease;
 * one started BRIEF_MAX_ATTEMPTS times already is marked failed instead. Only one caller wins
 * (the update checks the lease), so a sweep and a reader (getBrief) may both try. True when sent.
 */
export async function resumeBrief(
  context: BriefContext,
  queue: WorkQueue,
  row: Pick<BriefRow, 'id' | 'attempts'>,
): Promise<boolean> {
  const { db, leaseMs, logger, maxAttempts } = context;
  if (row.attempts >= maxAttempts) {
    await failBrief(context, row.id, interrupted(maxAttempts));
    return false;
  }
  const now = Date.now();
  const [resumed] = await db
    .update(briefs)
    .set({ holder: null, leaseUntil: now + leaseMs, updatedAt: now })
    .where(and(eq(briefs.id, row.id), eq(briefs.status, 'running'), leaseLapsed(briefs, now)))
    .returning({ id: briefs.id });
  if (!resumed) return false;
  await sendBrief(queue, row.id);
  logger.info('brief resumed', { briefId: row.id, attempts: row.attempts });
  return true;
}

function interrupted(maxAttempts: number): string {
  return `Interrupted ${maxAttempts} times (BRIEF_MAX_ATTEMPTS); send the document again to retry: the LLM calls it finished are cached`;
}

/** What a stored brief runs on, or why it cannot run here (its prompt version or provider is not this deployment's, its document is gone). */
async function workOf(
  context: BriefContext,
  row: BriefRow,
): Promise<Omit<BriefWork, 'chunks'> | string> {
  const prompt = context.prompts.list().find((candidate) => candidate.ref === row.promptRef);
  const provider = context.providers.find(row.provider);
  if (!prompt || prompt.sha256 !== row.promptSha256 || !provider)
    return `${row.promptRef} with provider ${row.provider} is not available here to run it`;
  const [document] = await context.db
    .select({ text: documents.text, title: documents.title })
    .from(documents)
    .where(eq(documents.id, row.documentId))
    .limit(1);
  if (!document) return `Document ${row.documentId} is no longer stored`;
  return { text: document.text, title: document.title, prompt, provider };
}

async function failBrief(context: BriefContext, id: string, message: string): Promise<void> {
  context.logger.warn('brief failed', { briefId: id, reason: message });
  await context.db
    .update(briefs)
    .set(failedUnderLease(message))
    .where(and(eq(briefs.id, id), eq(briefs.status, 'running')));
}
