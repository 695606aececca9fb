import type { FC } from 'hono/jsx';
import { NOTE_KINDS, type Brief } from '../../briefs/schema.js';
import { NOTE_KIND_LABELS } from '../components.js';
import { Citations, type CitationContext } from './citations.js';

/**
 * A finished brief's own content: summary, key points, counter-perspective notes (grouped by
 * kind) and stakeholders. All of it is model output and is rendered as text only.
 */
export const BriefContent: FC<{ brief: Brief; context: CitationContext }> = ({
  brief,
  context,
}) => {
  const citations = [...brief.keyPoints, ...brief.counterPerspectives].flatMap(
    (item) => item.citations,
  );
  const unverified = citations.filter((citation) => !citation.verified).length;
  return (
    <>
      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading">Summary</h2>
        <p class="summary">{brief.summary}</p>
        <p class="hint">
          {citations.length - unverified} of {citations.length} quotes found in the source.
          {unverified > 0
            ? ` ${unverified} could not be found there and are marked “Not found in the source”.`
            : ''}
        </p>
      </section>

      <section aria-labelledby="points-heading">
        <h2 id="points-heading">Key points</h2>
        {brief.keyPoints.length === 0 ? (
          <p>No key points.</p>
        ) : (
          <ol class="points">
            {brief.keyPoints.map((point) => (
              <li>
                <p>{point.text}</p>
                <Citations citations={point.citations} context={context} />
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="notes-heading">
        <h2 id="notes-heading">Counter-perspective notes</h2>
        {brief.counterPerspectives.length === 0 ? <p>No notes.</p> : null}
        {NOTE_KINDS.map((kind) => {
          const notes = brief.counterPerspectives.filter((note) => note.kind === kind);
          if (notes.length === 0) return null;
          return (
            <>
              <h3>{NOTE_KIND_LABELS[kind]}</h3>
              <ul class="notes">
                {notes.map((note) => (
                  <li class="note">
                    <p>
                      <strong>Claim:</strong> {note.claim}
                    </p>
                    <p>
                      <strong>Perspective:</strong> {note.perspective}
                    </p>
                    <p>{note.note}</p>
                    <Citations citations={note.citations} context={context} />
                  </li>
                ))}
              </ul>
            </>
          );
        })}
      </section>

      {brief.stakeholders.length > 0 ? (
        <section aria-labelledby="stakeholders-heading">
          <h2 id="stakeholders-heading">Stakeholders</h2>
          <ul>
            {brief.stakeholders.map((stakeholder) => (
              <li>
                <strong>{stakeholder.name}</strong>: {stakeholder.role}{' '}
                <span class="hint">
                  (
                  {stakeholder.representedInDocument
                    ? 'heard in the document'
                    : 'not heard in the document'}
                  )
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
};
