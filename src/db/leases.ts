import { and, eq, isNull, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';

/**
 * Conditions on the rows that run under a lease: briefs, corpus evaluations and perspectives
 * runs. While a process (or a Worker's queue consumer) runs one, it renews `lease_until`; on
 * Workers with a queue, `holder` names the message whose consumer runs it.
 */
interface Leased {
  status: SQLiteColumn;
  holder: SQLiteColumn;
  leaseUntil: SQLiteColumn;
}

/** Its lease lapsed, or it has none: whoever ran it has stopped. */
export function leaseLapsed(table: Pick<Leased, 'leaseUntil'>, now: number): SQL {
  return or(isNull(table.leaseUntil), lt(table.leaseUntil, now))!;
}

/** Running, and either unheld (queued), held by this message already, or under a lapsed lease. */
export function takeableBy(table: Leased, messageId: string, now: number): SQL {
  return and(
    eq(table.status, 'running'),
    or(isNull(table.holder), eq(table.holder, messageId), leaseLapsed(table, now)),
  )!;
}

/**
 * The update that ends a leased row as failed by something other than its own work (its lease
 * ran out of attempts, or what it needs is gone): an internal error saying `message`.
 */
export function failedUnderLease(message: string) {
  const now = Date.now();
  return {
    status: 'failed' as const,
    error: { code: 'internal' as const, message },
    leaseUntil: null,
    updatedAt: now,
    finishedAt: now,
  };
}
