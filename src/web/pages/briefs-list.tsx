import type { FC } from 'hono/jsx';
import type { BriefView } from '../../briefs/view.js';
import { BRIEF_STATUSES } from '../../briefs/schema.js';
import { Alert, formatDate, ShortId, STATUS_LABELS } from '../components.js';
import { Layout } from '../layout.js';

/** The list's filters as the form sends them; empty means "any". */
export interface ListFilterValues {
  document: string;
  prompt: string;
  model: string;
  status: string;
}

export interface BriefsListPageProps {
  filters: ListFilterValues;
  documents: { id: string; title: string | null }[];
  promptRefs: string[];
  items: BriefView[];
  /** Query string of the next (older) page, or null on the last page. */
  nextQuery: string | null;
  error?: string | undefined;
}

/** Cached briefs, newest first, filtered by document, prompt version, model and status. */
export const BriefsListPage: FC<BriefsListPageProps> = ({
  filters,
  documents,
  promptRefs,
  items,
  nextQuery,
  error,
}) => {
  const filtered = Object.values(filters).some(Boolean);
  return (
    <Layout title="Briefs" section="briefs">
      <h1>Briefs</h1>
      <form class="row notice" method="get" action="/briefs" aria-label="Filter briefs">
        <div class="field">
          <label for="filter-document">Document</label>
          <select id="filter-document" name="document">
            <option value="">All documents</option>
            {documents.map((doc) => (
              <option value={doc.id} selected={doc.id === filters.document}>
                {`${doc.title ?? 'Untitled'} (${doc.id.slice(0, 8)})`}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-prompt">Prompt version</label>
          <select id="filter-prompt" name="prompt">
            <option value="">Any version</option>
            {promptRefs.map((ref) => (
              <option value={ref} selected={ref === filters.prompt}>
                {ref}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-model">Model</label>
          <input
            type="text"
            id="filter-model"
            name="model"
            value={filters.model}
            placeholder="any"
          />
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" name="status">
            <option value="">Any status</option>
            {BRIEF_STATUSES.map((status) => (
              <option value={status} selected={status === filters.status}>
                {STATUS_LABELS[status]}
              </option>
            ))}
          </select>
        </div>
        <div class="row">
          <button type="submit">Filter</button>
          {filtered ? <a href="/briefs">Clear filters</a> : null}
        </div>
      </form>

      {error ? <Alert title="These filters cannot be used" message={error} /> : null}
      {items.length === 0 && !error ? (
        <p>
          {filtered
            ? 'No brief matches these filters.'
            : 'No briefs yet. Make one from the New brief page.'}
        </p>
      ) : null}
      {items.length > 0 ? (
        <section class="table-wrap" tabindex={0} aria-label="Briefs, newest first">
          <table>
            <thead>
              <tr>
                <th scope="col">Document</th>
                <th scope="col">Prompt</th>
                <th scope="col">Model</th>
                <th scope="col">Status</th>
                <th scope="col">Made</th>
              </tr>
            </thead>
            <tbody>
              {items.map((item) => (
                <tr data-brief={item.id}>
                  <td>
                    <a href={`/briefs/${item.id}`}>{item.document.title ?? 'Untitled document'}</a>
                    <br />
                    <ShortId id={item.document.id} length={8} />
                  </td>
                  <td>{item.prompt.ref}</td>
                  <td>
                    {item.provider} / {item.model}
                  </td>
                  <td class={`status status-${item.status}`}>{STATUS_LABELS[item.status]}</td>
                  <td>{formatDate(item.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {nextQuery !== null ? (
        <p>
          <a href={`/briefs?${nextQuery}`}>Older briefs</a>
        </p>
      ) : null}
    </Layout>
  );
};
