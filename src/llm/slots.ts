import { eq, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { llmSlots } from '../db/schema.js';
import { randomHex } from '../lib/hash.js';
import { renewLease } from '../lib/lease.js';
import type { Logger } from '../lib/log.js';
import type { Provider } from './provider.js';
import { providerSet, type Providers } from './select.js';

/**
 * The deployment-wide LLM budget on Workers (LLM_GLOBAL_CONCURRENCY). A Worker has no process
 * to hold a limit in: every request, queue consumer and isolate has its own, so three long
 * briefs once put three times LLM_CONCURRENCY calls in flight. Here every call first takes a
 * row of D1's `llm_slots` table, with one statement that inserts only while fewer than `budget`
 * unexpired rows exist (D1 runs statements one at a time, so no two callers can both take the
 * last slot). The row is renewed while the call runs and deleted when it ends; a slot whose
 * invocation died expires within `leaseMs`.
 *
 * Cost: two D1 queries per call (take, give back), one per `leaseMs / 3` of a call's duration
 * (renewal), and one per poll while the budget is full. Only one call per invocation polls at
 * a time, the others queue behind it in arrival order, so a waiting consumer makes at most one
 * query per `maxPollMs`.
 */
export interface SlotOptions {
  db: Database;
  /** Calls in flight at once, across the deployment. */
  budget: number;
  /** How long a slot lasts without renewal: the time a dead invocation's slot stays taken. */
  leaseMs: number;
  /** The longest wait between two tries while the budget is full. */
  maxPollMs: number;
  logger: Logger;
}

/** Runs a task holding one slot of the deployment's budget. */
export type SlotLimiter = <T>(task: () => Promise<T>) => Promise<T>;

/** One invocation's access to the budget: build one per request or consumer invocation. */
export function slotLimiter(options: SlotOptions): SlotLimiter {
  const { db, budget, leaseMs, maxPollMs, logger } = options;
  // The call whose turn it is to poll; the others wait for it to get its slot.
  let queue: Promise<unknown> = Promise.resolve();

  const take = async (): Promise<string> => {
    const id = randomHex(12);
    let pause = 20;
    for (;;) {
      const now = Date.now();
      const taken = await db
        .insert(llmSlots)
        .select(
          sql`select ${id}, ${now + leaseMs} where (select count(*) from ${llmSlots} where ${llmSlots.until} > ${now}) < ${budget}`,
        )
        .returning({ id: llmSlots.id });
      if (taken.length > 0) return id;
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, maxPollMs);
    }
  };

  return async (task) => {
    const turn = queue.then(take);
    queue = turn.catch(() => undefined);
    const id = await turn;
    const stopRenewing = renewLease(
      leaseMs,
      (until) => db.update(llmSlots).set({ until }).where(eq(llmSlots.id, id)),
      (error) => logger.warn('LLM slot renewal failed', { reason: String(error) }),
    );
    try {
      return await task();
    } finally {
      stopRenewing();
      // Expired slots (of invocations that died) are cleared on the way.
      await db
        .delete(llmSlots)
        .where(or(eq(llmSlots.id, id), lt(llmSlots.until, Date.now())))
        .catch((error: unknown) =>
          logger.warn('LLM slot release failed', { reason: String(error) }),
        );
    }
  };
}

/** The providers with every call to an LLM endpoint holding a slot; the offline analyst calls none. */
export function withBudget(providers: Providers, limit: SlotLimiter): Providers {
  return providerSet(
    providers.all.map((provider) =>
      provider.name === 'local' ? provider : withSlots(provider, limit),
    ),
  );
}

/** Deletes the slots that expired (their invocation died), for the cron trigger's sweep. */
export async function clearExpiredSlots(db: Database): Promise<void> {
  await db.delete(llmSlots).where(lt(llmSlots.until, Date.now()));
}

/** The provider with each call holding a slot of the budget; its name, models and counting unchanged. */
export function withSlots(provider: Provider, limit: SlotLimiter): Provider {
  return {
    ...provider,
    generate: (request, model) => limit(() => provider.generate(request, model)),
  };
}
