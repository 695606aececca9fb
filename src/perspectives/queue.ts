import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Delivery, WorkMessage, WorkQueue } from '../briefs/queue.js';
import { failedUnderLease, leaseLapsed, takeableBy } from '../db/leases.js';
import { documents, perspectives } from '../db/schema.js';
import { renewLease } from '../lib/lease.js';
import type { PerspectivesContext } from './context.js';
import { runPerspectives } from './run.js';

/**
 * Perspectives runs on the Worker's work queue, as briefs are (src/briefs/queue.ts): a run of
 * a claim per call can take minutes with a real model, and a request's `waitUntil` ends about
 * 30 s after its response. A claimed run is sent as a message of ids; a consumer takes it (its
 * message id in `holder`), renews its lease while it runs, and writes the outcome. A consumer
 * that dies leaves the lease to lapse; the cron sweep sends the run again, and the calls it had
 * finished come from the LLM-call cache. After BRIEF_MAX_ATTEMPTS takes it is marked failed. A
 * run that fails (the model refusing, say) fails as on Node: a new POST runs it again.
 */

export type PerspectivesMessage = Extract<WorkMessage, { kind: 'perspectives' }>;

/** Puts a claimed run on the queue. */
export async function sendPerspectives(queue: WorkQueue, id: string): Promise<void> {
  await queue.send({ kind: 'perspectives', perspectivesId: id });
}

/** Runs the perspectives of one delivery; acks when the run is finished or another live consumer holds it. */
export async function consumePerspectives(
  context: PerspectivesContext,
  message: PerspectivesMessage,
  delivery: Delivery,
): Promise<void> {
  const { db, leaseMs, logger, maxAttempts } = context;
  const now = Date.now();
  const [row] = await db
    .update(perspectives)
    .set({
      holder: delivery.id,
      leaseUntil: now + leaseMs,
      attempts: sql`${perspectives.attempts} + 1`,
      updatedAt: now,
    })
    .where(
      and(eq(perspectives.id, message.perspectivesId), takeableBy(perspectives, delivery.id, now)),
    )
    .returning();
  if (!row) return delivery.ack();
  const fail = (reason: string) => failRun(context, row.id, reason);
  if (row.attempts > maxAttempts) {
    await fail(interrupted(maxAttempts));
    return delivery.ack();
  }
  const prompt = context.prompts.list().find((candidate) => candidate.ref === row.promptRef);
  const provider = context.providers.find(row.provider);
  if (!prompt || prompt.sha256 !== row.promptSha256 || !provider) {
    await fail(`${row.promptRef} with provider ${row.provider} is not available here to run it`);
    return delivery.ack();
  }
  const stored = await db
    .select({ id: documents.id, title: documents.title, text: documents.text })
    .from(documents)
    .where(inArray(documents.id, row.documentIds));
  const byId = new Map(stored.map((document) => [document.id, document]));
  const missing = row.documentIds.find((id) => !byId.has(id));
  if (missing) {
    await fail(`Document ${missing} is no longer stored`);
    return delivery.ack();
  }

  const held = and(
    eq(perspectives.id, row.id),
    eq(perspectives.status, 'running'),
    eq(perspectives.holder, delivery.id),
  );
  const stopRenewing = renewLease(
    leaseMs,
    (until) => db.update(perspectives).set({ leaseUntil: until }).where(held),
    (error) =>
      logger.warn('lease renewal failed', { perspectivesId: row.id, reason: String(error) }),
  );
  try {
    // Success or failure is written to the row; only a failing write throws (the queue then
    // delivers the message again).
    await runPerspectives(context, row.id, {
      documents: row.documentIds.map((id) => byId.get(id)!),
      prompt,
      provider,
      model: row.model,
      holder: delivery.id,
    });
  } finally {
    stopRenewing();
  }
  delivery.ack();
}

/**
 * The cron trigger's sweep: runs left `running` under a lapsed lease go to the queue again,
 * unheld (or are marked failed after BRIEF_MAX_ATTEMPTS takes). At most `limit` a sweep.
 * Returns the ids sent.
 */
export async function sweepPerspectives(
  context: PerspectivesContext,
  queue: WorkQueue,
  limit = 20,
): Promise<string[]> {
  const now = Date.now();
  const lapsed = leaseLapsed(perspectives, now);
  const rows = await context.db
    .select({ id: perspectives.id, attempts: perspectives.attempts })
    .from(perspectives)
    .where(and(eq(perspectives.status, 'running'), lapsed))
    .limit(limit);
  const sent: string[] = [];
  for (const row of rows) {
    if (row.attempts >= context.maxAttempts) {
      await failRun(context, row.id, interrupted(context.maxAttempts));
      continue;
    }
    // Only one sweep wins a run: the update checks the lease still lapsed.
    const [resumed] = await context.db
      .update(perspectives)
      .set({ holder: null, leaseUntil: now + context.leaseMs, updatedAt: now })
      .where(and(eq(perspectives.id, row.id), eq(perspectives.status, 'running'), lapsed))
      .returning({ id: perspectives.id });
    if (!resumed) continue;
    await sendPerspectives(queue, row.id);
    context.logger.info('perspectives resumed', { perspectivesId: row.id, attempts: row.attempts });
    sent.push(row.id);
  }
  return sent;
}

function interrupted(maxAttempts: number): string {
  return `Interrupted ${maxAttempts} times (BRIEF_MAX_ATTEMPTS); POST it again: the LLM calls it finished are cached`;
}

async function failRun(context: PerspectivesContext, id: string, message: string): Promise<void> {
  context.logger.warn('perspectives failed', { perspectivesId: id, reason: message });
  await context.db
    .update(perspectives)
    .set(failedUnderLease(message))
    .where(and(eq(perspectives.id, id), eq(perspectives.status, 'running')));
}
