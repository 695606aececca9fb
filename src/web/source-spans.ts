import type { Brief } from '../briefs/schema.js';

/** A span of the source that at least one verified citation quotes, numbered for anchors (`#q-<n>`). */
export interface QuotedSpan {
  n: number;
  start: number;
  end: number;
}

/**
 * One piece of the source text as the brief page shows it: plain text, or (part of) a quoted
 * span holding the pieces inside it. `first` marks the piece that carries the span's anchor.
 */
export type SourcePiece = string | { n: number; first: boolean; children: SourcePiece[] };

/** Every distinct verified span of a brief, in source order, each with its number. */
export function quotedSpans(brief: Brief, textLength: number): QuotedSpan[] {
  const seen = new Map<string, { start: number; end: number }>();
  for (const item of [...brief.keyPoints, ...brief.counterPerspectives]) {
    for (const citation of item.citations) {
      const { start, end } = citation;
      if (
        !citation.verified ||
        start === null ||
        end === null ||
        start >= end ||
        start < 0 ||
        end > textLength
      )
        continue;
      seen.set(spanKey(start, end)!, { start, end });
    }
  }
  return [...seen.values()].sort(bySourceOrder).map((span, i) => ({ n: i + 1, ...span }));
}

/** The key of a citation's offsets, as `quotedSpans` deduplicates them; null without offsets. */
export function spanKey(start: number | null, end: number | null): string | null {
  return start === null || end === null ? null : `${start}:${end}`;
}

/**
 * Splits `text` into nested pieces so that every quoted span is wrapped, in order, by pieces
 * whose text together is exactly the span. Spans nest as elements must: a span that starts
 * inside another and ends after it is cut at the other's end and continues as a second piece
 * (`first: false`). Most spans (disjoint, nested or equal sentences) stay one piece.
 */
export function sourcePieces(text: string, spans: readonly QuotedSpan[]): SourcePiece[] {
  type Open = { n: number; first: boolean; end: number; children: SourcePiece[] };
  const root: Open = { n: 0, first: true, end: text.length, children: [] };
  const stack: Open[] = [root];
  const queue = spans.map((span) => ({ ...span, first: true })).sort(bySourceOrder);
  let cursor = 0;

  const emitUntil = (position: number) => {
    if (position > cursor) stack.at(-1)!.children.push(text.slice(cursor, position));
    cursor = Math.max(cursor, position);
  };
  const closeUntil = (position: number) => {
    while (stack.length > 1 && stack.at(-1)!.end <= position) {
      const open = stack.at(-1)!;
      emitUntil(open.end);
      stack.pop();
      stack.at(-1)!.children.push({ n: open.n, first: open.first, children: open.children });
    }
  };

  for (let next = queue.shift(); next; next = queue.shift()) {
    closeUntil(next.start);
    const parent = stack.at(-1)!;
    let end = next.end;
    if (end > parent.end) {
      // Crosses its parent's end: the rest becomes its own piece, queued in source order.
      const rest = { ...next, start: parent.end, first: false };
      const at = queue.findIndex((other) => bySourceOrder(rest, other) < 0);
      queue.splice(at === -1 ? queue.length : at, 0, rest);
      end = parent.end;
    }
    if (end <= next.start) continue;
    emitUntil(next.start);
    stack.push({ n: next.n, first: next.first, end, children: [] });
  }
  closeUntil(text.length);
  emitUntil(text.length);
  return root.children;
}

/** Earlier start first; of two spans starting together, the longer one (it is the parent). */
function bySourceOrder(
  a: { start: number; end: number },
  b: { start: number; end: number },
): number {
  return a.start - b.start || b.end - a.end;
}
