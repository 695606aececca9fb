import type { FC } from 'hono/jsx';
import type { Citation } from '../../briefs/schema.js';
import { pageOf } from '../../ingest/pages.js';
import { sourcePieces, spanKey, type QuotedSpan, type SourcePiece } from '../source-spans.js';

/** What citations need to link into the source: span numbers by offsets, and the page map of a PDF. */
export interface CitationContext {
  spanNumbers: Map<string, number>;
  pageMap: number[] | null;
}

/**
 * A brief's citations. A verified quote links to its span in the source text (`#q-<n>`: works
 * without scripts through :target); a quote the verify stage could not find is not a link and
 * is marked "not found in the source", in words as well as colour.
 */
export const Citations: FC<{ citations: Citation[]; context: CitationContext }> = ({
  citations,
  context,
}) =>
  citations.length === 0 ? null : (
    <ul class="cites">
      {citations.map((citation) => {
        const key = spanKey(citation.start, citation.end);
        const n = citation.verified && key ? context.spanNumbers.get(key) : undefined;
        if (n === undefined) {
          return (
            <li>
              <span class="cite unverified">
                <strong>Not found in the source</strong>
                <q>{citation.quote}</q>
              </span>
            </li>
          );
        }
        const page = pageOf(context.pageMap, citation.start);
        return (
          <li>
            <a class="cite" href={`#q-${n}`} data-q={String(n)}>
              <q>{citation.quote}</q>
              <span class="visually-hidden"> (show in the source)</span>
            </a>
            {page !== null ? <span class="page"> · page {page}</span> : null}
          </li>
        );
      })}
    </ul>
  );

/**
 * The document's normalized text, with every verified quote wrapped in elements that a
 * citation link targets. Text is escaped by JSX like everything else on the page.
 */
export const SourceText: FC<{ text: string; spans: QuotedSpan[] }> = ({ text, spans }) => (
  <section class="source" id="source-text" tabindex={0} aria-labelledby="source-heading">
    <Pieces pieces={sourcePieces(text, spans)} />
  </section>
);

const Pieces: FC<{ pieces: SourcePiece[] }> = ({ pieces }) => (
  <>
    {pieces.map((piece) =>
      typeof piece === 'string' ? (
        piece
      ) : (
        <span
          class="q"
          data-q={String(piece.n)}
          id={piece.first ? `q-${piece.n}` : undefined}
          tabindex={piece.first ? -1 : undefined}
        >
          <Pieces pieces={piece.children} />
        </span>
      ),
    )}
  </>
);
