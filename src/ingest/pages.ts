import { normalizeText } from '../pipeline/normalize.js';

/**
 * A page map: `pageMap[i]` is the character offset in the normalized text where page i + 1
 * starts. Offsets never decrease; a page with no text starts where the next one does (the
 * end of the text after the last), and the blank line between pages belongs to the page before.
 * Stored with the document (documents.page_map) so that a citation's `start` names its page.
 */
export type PageMap = number[];

/** The 1-based page that the character at `offset` is on, or null when there is no page map or no offset. */
export function pageOf(
  pageMap: readonly number[] | null | undefined,
  offset: number | null | undefined,
): number | null {
  if (!pageMap || pageMap.length === 0 || offset === null || offset === undefined || offset < 0)
    return null;
  // The last page whose start is at or before the offset (binary search: maps can be long).
  let lo = 0;
  let hi = pageMap.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (pageMap[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

/**
 * Joins page texts into one normalized text, pages separated by a blank line, and records
 * where each page starts. Each page is normalized on its own first, which makes the join
 * already normalized: normalizing the whole again changes nothing, so the offsets hold in
 * the text the document id is computed from.
 */
export function joinPages(pages: readonly string[]): { text: string; pageMap: PageMap } {
  let text = '';
  const pageMap: PageMap = [];
  let blank = 0; // pages with no text waiting for the next page's start
  for (const page of pages) {
    const normalized = normalizeText(page);
    if (normalized.length === 0) {
      blank++;
      continue;
    }
    if (text.length > 0) text += '\n\n';
    for (; blank > 0; blank--) pageMap.push(text.length);
    pageMap.push(text.length);
    text += normalized;
  }
  for (; blank > 0; blank--) pageMap.push(text.length);
  return { text, pageMap };
}
