import { inArray, lt } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { llmCalls } from '../db/schema.js';

/** Entries deleted by one statement: a turn of the event loop comes between two. */
export const PRUNE_BATCH = 500;

/**
 * Deletes the LLM-call cache's answers written before `cutoff` (ms), a batch at a time so a
 * Node server keeps answering (better-sqlite3 is synchronous) and no statement holds the write
 * lock long. Only the call cache is pruned: nothing reads it but new runs (a brief, a
 * perspectives run and an evaluation store their own results), so every stored brief stays
 * readable; its only cost is that re-running a pruned call pays for it again. Briefs are kept,
 * failed ones too (a retry reuses the row; evaluation reports link to them), and documents.
 * @returns how many entries were deleted.
 */
export async function pruneCallCache(db: Database, cutoff: number): Promise<number> {
  let removed = 0;
  for (;;) {
    const batch = db
      .select({ key: llmCalls.key })
      .from(llmCalls)
      .where(lt(llmCalls.createdAt, cutoff))
      .limit(PRUNE_BATCH);
    const deleted = await db
      .delete(llmCalls)
      .where(inArray(llmCalls.key, batch))
      .returning({ key: llmCalls.key });
    removed += deleted.length;
    if (deleted.length < PRUNE_BATCH) return removed;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}
