import type { Citation } from '../briefs/schema.js';
import { rougeN, tokenize } from './rouge.js';

/** One item (key point or note) of each side, paired: kept, changed, added or dropped. */
export interface Matched<T> {
  status: 'kept' | 'changed' | 'added' | 'dropped';
  a: T | null;
  b: T | null;
  /** 0–1; null for unpaired items. */
  similarity: number | null;
}

/** Below this, two items are different items, not one item changed. */
export const MATCH_THRESHOLD = 0.3;

export interface Comparable {
  /** The words that say what the item is. */
  text: string;
  citations: Citation[];
}

/**
 * Pairs items across two briefs by citation overlap and text similarity, greedily from the most
 * similar pair down. Similarity is the mean of the two measures when both items cite verified
 * source spans, else text similarity alone. Paired items whose text and cited spans are the same
 * are `kept`; other pairs are `changed`; the rest are `dropped` (only in a) or `added` (only in b).
 */
export function matchItems<T>(a: T[], b: T[], view: (item: T) => Comparable): Matched<T>[] {
  const left = a.map(view);
  const right = b.map(view);
  const pairs: { i: number; j: number; score: number }[] = [];
  for (let i = 0; i < left.length; i++) {
    for (let j = 0; j < right.length; j++) {
      const score = similarity(left[i]!, right[j]!);
      if (score >= MATCH_THRESHOLD) pairs.push({ i, j, score });
    }
  }
  pairs.sort((x, y) => y.score - x.score || x.i - y.i || x.j - y.j);
  const pairedA = new Map<number, { j: number; score: number }>();
  const pairedB = new Set<number>();
  for (const pair of pairs) {
    if (pairedA.has(pair.i) || pairedB.has(pair.j)) continue;
    pairedA.set(pair.i, pair);
    pairedB.add(pair.j);
  }

  const out: Matched<T>[] = [];
  a.forEach((item, i) => {
    const pair = pairedA.get(i);
    if (!pair) {
      out.push({ status: 'dropped', a: item, b: null, similarity: null });
      return;
    }
    const same =
      sameText(left[i]!, right[pair.j]!) && sameSpans(left[i]!.citations, right[pair.j]!.citations);
    out.push({
      status: same ? 'kept' : 'changed',
      a: item,
      b: b[pair.j]!,
      similarity: round(pair.score),
    });
  });
  b.forEach((item, j) => {
    if (!pairedB.has(j)) out.push({ status: 'added', a: null, b: item, similarity: null });
  });
  return out;
}

export function similarity(x: Comparable, y: Comparable): number {
  const text = rougeN(tokenize(x.text), tokenize(y.text), 1).f1;
  const spansX = spans(x.citations);
  const spansY = spans(y.citations);
  if (spansX.length === 0 || spansY.length === 0) return text;
  return (text + spanOverlap(spansX, spansY)) / 2;
}

type Span = [number, number];

function spans(citations: Citation[]): Span[] {
  return citations
    .filter((c) => c.verified && c.start !== null && c.end !== null)
    .map((c) => [c.start!, c.end!] as Span);
}

/** Jaccard overlap of two sets of character spans: |A ∩ B| / |A ∪ B|. */
export function spanOverlap(x: Span[], y: Span[]): number {
  const a = union(x);
  const b = union(y);
  const size = (list: Span[]) => list.reduce((sum, [s, e]) => sum + (e - s), 0);
  let intersection = 0;
  for (const [s1, e1] of a)
    for (const [s2, e2] of b) intersection += Math.max(0, Math.min(e1, e2) - Math.max(s1, s2));
  const total = size(a) + size(b) - intersection;
  return total === 0 ? 0 : intersection / total;
}

function union(list: Span[]): Span[] {
  const sorted = [...list].sort((p, q) => p[0] - q[0]);
  const out: Span[] = [];
  for (const [s, e] of sorted) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function sameText(x: Comparable, y: Comparable): boolean {
  return tokenize(x.text).join(' ') === tokenize(y.text).join(' ');
}

function sameSpans(x: Citation[], y: Citation[]): boolean {
  const key = (list: Citation[]) =>
    list
      .map((c) => `${c.start}:${c.end}:${c.quote}`)
      .sort()
      .join('|');
  return key(x) === key(y);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
