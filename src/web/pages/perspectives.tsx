// Past ~300 lines: the perspectives pages (start, confirm, running, failed, result) share their
// pieces (document list, run form, provenance, quotes and badges); split, each file would import
// most of the others.
import type { FC } from 'hono/jsx';
import type { Citation } from '../../briefs/schema.js';
import { MARKS, type Mark, type PerspectiveClaim } from '../../perspectives/schema.js';
import type { PerspectivesView } from '../../perspectives/view.js';
import { Alert, formatDate, ShortId, TokenField, UsageEntry } from '../components.js';
import { Layout } from '../layout.js';

/** What the pages need to start (or start again) a run: its documents and, when known, its model. */
export interface RunRequest {
  documents: string[];
  prompt?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
}

export const MARK_LABELS: Record<Mark, string> = {
  agrees: 'Agrees',
  disputes: 'Disputes',
  differs: 'Differs',
  silent: 'Silent',
};

const MARK_MEANINGS: Record<Mark, string> = {
  agrees: 'states the same thing (the same figure for the same quantity)',
  disputes: 'denies or rejects the claim',
  differs:
    'gives another figure, date or cause for the same thing, without calling the claim wrong',
  silent: 'says nothing a reader could match to the claim',
};

type Doc = { id: string; title: string | null };
/** A document's title, else its short id: two untitled documents must still be told apart. */
const titleOf = (doc: Doc | undefined) =>
  doc?.title ?? (doc ? `Document ${doc.id.slice(0, 8)}` : 'Untitled document');

/**
 * The start page: two or three document ids (as the related-documents panel of a brief page
 * links them, or pasted). A GET form when this server runs comparisons without a token; with
 * API_TOKENS a POST, with the token field.
 */
export const PerspectivesStartPage: FC<{ tokenNeeded: boolean }> = ({ tokenNeeded }) => (
  <Layout title="Perspectives" section="perspectives">
    <h1>Compare perspectives</h1>
    <p>
      Reads the key claims of each document against the others: where another document agrees,
      disputes, differs or is silent, with both quotes checked against their own documents.
    </p>
    <form
      class="stack"
      method={tokenNeeded ? 'post' : 'get'}
      action="/perspectives"
      aria-label="Compare perspectives"
    >
      {[1, 2, 3].map((n) => (
        <div class="field">
          <label for={`document-${n}`}>
            {n === 3
              ? 'Third document id (optional)'
              : `${n === 1 ? 'First' : 'Second'} document id`}
          </label>
          <input
            type="text"
            id={`document-${n}`}
            name="documents"
            required={n < 3}
            pattern="[0-9a-f]{64}"
            maxlength={64}
            autocomplete="off"
            spellcheck={false}
            aria-describedby="documents-hint"
          />
        </div>
      ))}
      <p class="hint" id="documents-hint">
        A document id is 64 hex digits: a brief page shows it, and its related documents link here
        with both ids filled in.
      </p>
      <TokenField id="perspectives-token" needed={tokenNeeded} />
      <div>
        <button type="submit">Compare</button>
      </div>
    </form>
  </Layout>
);

/**
 * With API_TOKENS, a link to /perspectives?documents=… does not run anything by itself: the
 * page names the documents and asks for the token.
 */
export const PerspectivesConfirmPage: FC<{ documents: Doc[]; request: RunRequest }> = ({
  documents,
  request,
}) => (
  <Layout title="Perspectives" section="perspectives">
    <h1>Compare perspectives</h1>
    <DocumentList documents={documents} />
    <RunForm request={request} tokenNeeded label="Compare" />
  </Layout>
);

/**
 * One perspectives run: while it runs, its progress (the page reloads itself: no script follows
 * it); when it failed, the error and a form to run it again; when it succeeded, the documents
 * side by side, each claim in its document's column and every other document's answer in its own.
 */
export const PerspectivesPage: FC<{ view: PerspectivesView; tokenNeeded: boolean }> = ({
  view,
  tokenNeeded,
}) => {
  const request: RunRequest = {
    documents: view.documents.map((doc) => doc.id),
    prompt: view.prompt.ref,
    provider: view.provider,
    model: view.model,
  };
  if (view.status === 'running') {
    const progress = view.progress;
    return (
      <Layout
        title="Perspectives: still running"
        section="perspectives"
        head={<meta http-equiv="refresh" content="3" />}
      >
        <h1>Reading the documents against each other</h1>
        <section class="progress" aria-label="Progress of the comparison">
          <p class="stage" role="status">
            Still running
            {progress && progress.total > 0
              ? `: ${progress.done} of ${progress.total} claims read`
              : ''}
            . This page reloads itself every few seconds.
          </p>
          {progress && progress.total > 0 ? (
            <progress
              max={progress.total}
              value={progress.done}
              aria-label="Claims read"
            ></progress>
          ) : (
            <progress aria-label="Claims read"></progress>
          )}
          <p class="hint">
            {/* biome-ignore lint/a11y/useValidAnchor: an empty href reloads this page, which is what it is for */}
            <a href="">Reload</a> to see where it is.
          </p>
        </section>
        <DocumentList documents={view.documents} />
        <Provenance view={view} />
      </Layout>
    );
  }
  if (view.status === 'failed' || !view.result) {
    const error = view.error ?? { code: 'internal', message: 'The comparison has no result.' };
    return (
      <Layout title="Perspectives: failed" section="perspectives">
        <h1>The comparison failed</h1>
        <Alert title={`Failed: ${error.code}`} message={error.message} />
        <DocumentList documents={view.documents} />
        <RunForm request={request} tokenNeeded={tokenNeeded} label="Try again" />
        <Provenance view={view} />
      </Layout>
    );
  }

  const documents = view.documents;
  const claims = view.result.claims;
  const cols = `cols-${documents.length}`;
  return (
    <Layout
      title={`Perspectives: ${documents.map((doc) => titleOf(doc)).join(' · ')}`}
      section="perspectives"
    >
      <h1>Perspectives</h1>
      <p class="hint">
        {claims.length} {claims.length === 1 ? 'claim' : 'claims'} read against{' '}
        {documents.length === 2 ? 'the other document' : 'each other document'}:{' '}
        {markCounts(claims)}.
      </p>
      <Legend />
      <div class={`psp-grid psp-heads ${cols}`}>
        {documents.map((doc) => (
          <div class="psp-head">
            <h2>{titleOf(doc)}</h2>
            <p class="hint">
              <ShortId id={doc.id} /> ·{' '}
              {claims.filter((claim) => claim.documentId === doc.id).length} claims
            </p>
          </div>
        ))}
      </div>
      {claims.length === 0 ? (
        <p class="notice">
          No key claims were found in these documents to read against each other.
        </p>
      ) : null}
      {documents.map((doc, index) => {
        const own = claims.filter((claim) => claim.documentId === doc.id);
        if (own.length === 0) return null;
        return (
          <section class="psp-group" aria-labelledby={`claims-${index}`}>
            <h2 id={`claims-${index}`}>Claims of “{titleOf(doc)}”</h2>
            <ol class="psp-claims">
              {own.map((claim) => (
                <li class={`psp-grid psp-row ${cols}`}>
                  {documents.map((column) =>
                    column.id === claim.documentId ? (
                      <ClaimCell claim={claim} doc={column} />
                    ) : (
                      <ResponseCell
                        doc={column}
                        response={claim.responses.find((r) => r.documentId === column.id)}
                      />
                    ),
                  )}
                </li>
              ))}
            </ol>
          </section>
        );
      })}
      <Provenance view={view} />
    </Layout>
  );
};

const ClaimCell: FC<{ claim: PerspectiveClaim; doc: Doc }> = ({ claim, doc }) => (
  <div class="psp-cell psp-claim">
    <p class="psp-doc">{titleOf(doc)}</p>
    <p>
      <span class="badge badge-claim">Claim</span>
    </p>
    <Quote citation={claim.citation} />
  </div>
);

const ResponseCell: FC<{
  doc: Doc;
  response: PerspectiveClaim['responses'][number] | undefined;
}> = ({ doc, response }) => {
  if (!response)
    return (
      <div class="psp-cell psp-none">
        <p class="psp-doc">{titleOf(doc)}</p>
        <p class="hint">Not read against this claim.</p>
      </div>
    );
  return (
    <div class="psp-cell psp-response" data-mark={response.mark}>
      <p class="psp-doc">{titleOf(doc)}</p>
      <p>
        <span class={`badge badge-${response.mark}`}>{MARK_LABELS[response.mark]}</span>
      </p>
      {response.citation ? <Quote citation={response.citation} /> : null}
      {response.note ? (
        <p class="psp-note">{response.note}</p>
      ) : response.mark === 'silent' ? (
        <p class="psp-note">Says nothing about this claim.</p>
      ) : null}
    </div>
  );
};

/** A quote, marked in words (and a dashed border) when it was not found in its document. */
const Quote: FC<{ citation: Citation }> = ({ citation }) =>
  citation.verified ? (
    <blockquote class="psp-quote">
      <q>{citation.quote}</q>
    </blockquote>
  ) : (
    <blockquote class="psp-quote unverified">
      <strong>Not verified</strong>
      <q>{citation.quote}</q> <span class="psp-unverified">(quote not found in the document)</span>
    </blockquote>
  );

const Legend: FC = () => (
  <dl class="psp-legend">
    {MARKS.map((mark) => (
      <div>
        <dt>
          <span class={`badge badge-${mark}`}>{MARK_LABELS[mark]}</span>
        </dt>
        <dd>the other document {MARK_MEANINGS[mark]}</dd>
      </div>
    ))}
  </dl>
);

const DocumentList: FC<{ documents: Doc[] }> = ({ documents }) => (
  <section aria-labelledby="documents-heading">
    <h2 id="documents-heading">Documents</h2>
    <ul>
      {documents.map((doc) => (
        <li>
          {titleOf(doc)} <ShortId id={doc.id} />
        </li>
      ))}
    </ul>
  </section>
);

/** Runs the comparison: a GET of /perspectives (no token needed), or a POST with the token. */
const RunForm: FC<{ request: RunRequest; tokenNeeded: boolean; label: string }> = ({
  request,
  tokenNeeded,
  label,
}) => (
  <form class="stack" method={tokenNeeded ? 'post' : 'get'} action="/perspectives">
    {request.documents.map((id) => (
      <input type="hidden" name="documents" value={id} />
    ))}
    {(['prompt', 'provider', 'model'] as const).map((name) =>
      request[name] ? <input type="hidden" name={name} value={request[name]} /> : null,
    )}
    <TokenField id="perspectives-token" needed={tokenNeeded} />
    <div>
      <button type="submit">{label}</button>
    </div>
  </form>
);

const Provenance: FC<{ view: PerspectivesView }> = ({ view }) => (
  <dl class="meta psp-meta">
    <dt>Prompt</dt>
    <dd>
      {view.prompt.ref} <ShortId id={view.prompt.sha256} length={10} />
    </dd>
    <dt>Model</dt>
    <dd>
      {view.provider} / {view.model}
    </dd>
    <UsageEntry usage={view.usage} />
    <dt>Made</dt>
    <dd>{formatDate(view.createdAt)}</dd>
    <dt>Link</dt>
    <dd>
      <a href={`/perspectives/${view.id}`}>
        <code>{view.id}</code>
      </a>
    </dd>
  </dl>
);

/** "disputes 3 · differs 1 · silent 2": the answers to every claim, by mark. */
function markCounts(claims: PerspectiveClaim[]): string {
  const counts = new Map<Mark, number>();
  for (const claim of claims)
    for (const response of claim.responses)
      counts.set(response.mark, (counts.get(response.mark) ?? 0) + 1);
  const parts = MARKS.filter((mark) => counts.get(mark)).map(
    (mark) => `${MARK_LABELS[mark].toLowerCase()} ${counts.get(mark)}`,
  );
  return parts.length ? parts.join(' · ') : 'no answers';
}
