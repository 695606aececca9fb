import type { FC } from 'hono/jsx';
import type { NoteKind } from '../briefs/schema.js';
import type { UsageView } from '../briefs/schema.js';
import type { BriefView } from '../briefs/view.js';
import { costLabel } from '../llm/prices.js';

/** How each kind of counter-perspective note is headed on the pages. */
export const NOTE_KIND_LABELS: Record<NoteKind, string> = {
  disputed_claim: 'Disputed claim',
  unverified_figure: 'Unverified figure',
  missing_perspective: 'Missing perspective',
  loaded_language: 'Loaded language',
  missing_context: 'Missing context',
  rhetorical_technique: 'Rhetorical technique',
};

export const STATUS_LABELS: Record<BriefView['status'], string> = {
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
};

/** The first characters of a long id: enough to tell ids apart on a page, with the whole id in a title. */
export const ShortId: FC<{ id: string; length?: number }> = ({ id, length = 12 }) => (
  <code title={id}>{id.length > length ? `${id.slice(0, length)}…` : id}</code>
);

/** A date as UTC `YYYY-MM-DD HH:MM`, the same for every reader. */
export function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * The API token field, shown on write forms only when the server has API_TOKENS. The token
 * goes with that one form post and is checked like a bearer token; it is never stored,
 * put in a cookie or written back into a page.
 */
export const TokenField: FC<{ id: string; needed: boolean }> = ({ id, needed }) =>
  needed ? (
    <div class="field">
      <label for={id}>API token</label>
      <input
        type="password"
        id={id}
        name="token"
        required
        autocomplete="off"
        aria-describedby={`${id}-hint`}
      />
      <p class="hint" id={`${id}-hint`}>
        This server asks for an API token for new briefs (one of its API_TOKENS). It is sent with
        this form only and not stored.
      </p>
    </div>
  ) : null;

/**
 * Progress of one running brief. With scripts on, /assets/app.js follows the brief's event
 * stream and fills this in; without them the page refreshes itself (see `RefreshFallback`).
 */
export const ProgressPanel: FC<{ brief: BriefView; label: string }> = ({ brief, label }) => (
  <section
    class="progress"
    aria-label={label}
    data-events={`/v1/briefs/${brief.id}/events`}
    data-brief={brief.id}
  >
    <p class="stage" data-stage role="status" aria-live="polite">
      Working{brief.chunks ? `: ${brief.chunks} chunks to read` : ''}. This page updates as the
      brief is made.
    </p>
    <progress aria-label={`${label}: chunks done`}></progress>
    <p class="hint">
      {/* biome-ignore lint/a11y/useValidAnchor: an empty href reloads this page, which is what it is for */}
      <a href="">Reload</a> to see where it is.
    </p>
  </section>
);

/** For pages that wait on running work: refresh every few seconds, but only when scripts are off. */
export const RefreshFallback: FC<{ seconds?: number }> = ({ seconds = 3 }) => (
  <noscript>
    <meta http-equiv="refresh" content={String(seconds)} />
  </noscript>
);

/** An error message for the top of a form or page, announced to screen readers. */
export const Alert: FC<{ title: string; message: string }> = ({ title, message }) => (
  <div class="alert" role="alert">
    <p>
      <strong>{title}</strong>
    </p>
    <p>{message}</p>
  </div>
);

/**
 * The "Calls" and "Cost" lines of a provenance list: calls made, those from the cache, tokens,
 * and what those tokens cost at current prices, with the price it was estimated at (or why
 * there is none) beside it.
 */
export const UsageEntry: FC<{ usage: UsageView | null }> = ({ usage }) =>
  usage ? (
    <>
      <dt>Calls</dt>
      <dd>
        {usage.calls} ({usage.cachedCalls} from the cache),{' '}
        {usage.promptTokens + usage.completionTokens} tokens
      </dd>
      <dt>Cost</dt>
      <dd>
        {costLabel(usage.cost)}
        {usage.cost.source === 'free' ? null : <span class="hint"> · {usage.cost.note}</span>}
      </dd>
    </>
  ) : null;
