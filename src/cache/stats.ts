import { count, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { BriefStatus } from '../briefs/schema.js';
import type { Database } from '../db/client.js';
import { briefs, documents, evals, llmCalls, perspectives } from '../db/schema.js';

const Count = z.number().int().min(0);

export const Stats = z
  .object({
    documents: Count.describe('Documents in the library'),
    briefs: z
      .object({ running: Count, succeeded: Count, failed: Count })
      .describe('Briefs by status'),
    llmCalls: z
      .object({
        entries: Count.describe('Answers in the LLM-call cache'),
        bytes: Count.describe('Bytes of those answers (their stored JSON)'),
      })
      .describe('The LLM-call cache: what `POST /v1/cache/prune` removes'),
    perspectives: Count.describe('Perspectives runs'),
    evals: Count.describe('Corpus evaluations'),
    database: z
      .object({
        bytes: Count.nullable().describe('page_count × page_size'),
        freeBytes: Count.nullable().describe(
          'Of those, pages freed by deletes and reused by later writes (VACUUM gives them back to the file system)',
        ),
      })
      .describe(
        "The database's size as SQLite counts it. On D1, which refuses PRAGMA, bytes is the size D1 reports after a query and freeBytes null",
      ),
  })
  .meta({ id: 'Stats' });
export type Stats = z.infer<typeof Stats>;

/**
 * What the database holds: counts, the LLM-call cache's size, and the file's. One pass over
 * the call cache (to add up its answers' bytes): cheap for thousands of entries, and this is an
 * operator's route, not a hot path.
 */
export async function readStats(db: Database): Promise<Stats> {
  const [[docs], byStatus, [calls], [perspectiveRuns], [evalRuns], database] = await Promise.all([
    db.select({ n: count() }).from(documents),
    db.select({ status: briefs.status, n: count() }).from(briefs).groupBy(briefs.status),
    db
      .select({
        entries: count(),
        bytes: sql<number>`coalesce(sum(length(cast(${llmCalls.output} as blob))), 0)`,
      })
      .from(llmCalls),
    db.select({ n: count() }).from(perspectives),
    db.select({ n: count() }).from(evals),
    databaseSize(db),
  ]);
  const briefCounts: Record<BriefStatus, number> = { running: 0, succeeded: 0, failed: 0 };
  for (const { status, n } of byStatus) briefCounts[status] = n;
  return {
    documents: docs?.n ?? 0,
    briefs: briefCounts,
    llmCalls: { entries: calls?.entries ?? 0, bytes: Number(calls?.bytes ?? 0) },
    perspectives: perspectiveRuns?.n ?? 0,
    evals: evalRuns?.n ?? 0,
    database,
  };
}

/**
 * Through SQLite's PRAGMA functions. D1 refuses them (SQLITE_AUTH), but says the database's size
 * after each query in its result's `meta.size_after`; free pages it does not say.
 */
async function databaseSize(db: Database): Promise<Stats['database']> {
  try {
    const row = await db.get<{ bytes: number; freeBytes: number }>(
      sql`select page_count * page_size as bytes, freelist_count * page_size as freeBytes
          from pragma_page_count(), pragma_page_size(), pragma_freelist_count()`,
    );
    if (typeof row?.bytes === 'number' && typeof row.freeBytes === 'number') return row;
  } catch {
    // Not allowed here (D1): ask the driver below.
  }
  const result = (await db.run(sql`select 1`)) as { meta?: { size_after?: unknown } };
  const bytes = result.meta?.size_after;
  return { bytes: typeof bytes === 'number' ? bytes : null, freeBytes: null };
}
