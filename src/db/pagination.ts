import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { AppError } from '../errors.js';

/**
 * Cursor pagination, newest first, for every list of the API (briefs, evals): a page ends with
 * `nextCursor`, the opaque position after its last row (its creation time and id), which the
 * next request passes back as `cursor`. Ties on the time are broken by the id, so no row is
 * skipped or repeated.
 */
export interface Paged {
  createdAt: SQLiteColumn;
  id: SQLiteColumn;
}

/** Rows after `cursor` (none given: from the newest). @throws AppError 400 for a cursor this API did not make. */
export function afterCursor(
  table: Paged,
  cursor: string | undefined,
  idPattern: RegExp,
): SQL | undefined {
  if (cursor === undefined) return undefined;
  const [createdAt, id] = decodeCursor(cursor, idPattern);
  return or(lt(table.createdAt, createdAt), and(eq(table.createdAt, createdAt), lt(table.id, id)));
}

/** Newest first, ties by id. */
export const newestFirst = (table: Paged) => [desc(table.createdAt), desc(table.id)];

/** One page of `rows`, which were read with `limit + 1` to learn whether another page follows. */
export function pageOf<Row extends { createdAt: number; id: string }>(
  rows: Row[],
  limit: number,
): { page: Row[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    page,
    nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

function encodeCursor(createdAt: number, id: string): string {
  return btoa(`${createdAt}:${id}`).replace(/=+$/, '');
}

function decodeCursor(cursor: string, idPattern: RegExp): [number, string] {
  let decoded = '';
  try {
    decoded = atob(cursor);
  } catch {
    // not base64: refused below
  }
  const at = decoded.indexOf(':');
  const createdAt = decoded.slice(0, at);
  const id = decoded.slice(at + 1);
  if (at < 0 || !/^\d{1,15}$/.test(createdAt) || !idPattern.test(id)) {
    throw new AppError('invalid_request', 'The cursor is not one this API returned');
  }
  return [Number(createdAt), id];
}
