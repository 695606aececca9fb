import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { Deps } from '../deps.js';
import { getDocument } from '../documents/queries.js';
import { AppError } from '../errors.js';
import {
  getPerspectives,
  MAX_DOCUMENTS,
  MIN_DOCUMENTS,
  submitPerspectives,
} from '../perspectives/submit.js';
import type { PerspectivesView } from '../perspectives/view.js';
import { parseInput, type AppEnv } from '../routes/app-env.js';
import { DocumentId, givenFields, ModelName, PromptRef, ProviderName } from '../routes/fields.js';
import { field, readForm, requireFormToken } from './forms.js';
import { sendPage } from './layout.js';
import {
  PerspectivesConfirmPage,
  PerspectivesPage,
  PerspectivesStartPage,
  type RunRequest,
} from './pages/perspectives.js';

/**
 * How long a page waits for a comparison before showing it as still running (the page then
 * reloads itself and finds it finished, or joins the run).
 */
export const PERSPECTIVES_WAIT_MS = 3_000;

/** The optional fields of a comparison, as the API takes them (a blank one is not given). */
const RunFields = z.object({
  prompt: PromptRef.optional(),
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});

/**
 * The perspectives pages, mounted at /perspectives:
 *
 * - `GET /perspectives`: the form to start a comparison from two or three document ids.
 * - `GET /perspectives?documents=ID,ID[,ID]` (or `documents` repeated; optional `prompt`,
 *   `provider`, `model`): runs the comparison, or reads it from the cache, and shows it. Runs
 *   cost provider calls; when the server has API_TOKENS it
 *   runs nothing and asks for the token instead (a link must not spend on anyone's behalf).
 *   Like every page, it is under the app's rate limit.
 * - `POST /perspectives`: the same from a form, with the token; redirects to the run's page.
 * - `GET /perspectives/:id`: one run, whatever its state (only reads).
 */
export function perspectivesRoutes(writes: MiddlewareHandler<AppEnv>) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const deps = c.get('deps');
      const needed = tokenNeeded(deps);
      const given = c.req.queries('documents');
      if (given === undefined) return sendPage(c, <PerspectivesStartPage tokenNeeded={needed} />);
      const request = runRequest(given, {
        prompt: c.req.query('prompt') ?? '',
        provider: c.req.query('provider') ?? '',
        model: c.req.query('model') ?? '',
      });
      if (needed) {
        const documents = await Promise.all(
          request.documents.map((id) => getDocument(deps, id, false)),
        );
        return sendPage(
          c,
          <PerspectivesConfirmPage
            documents={documents.map(({ id, title }) => ({ id, title }))}
            request={request}
          />,
        );
      }
      const { view } = await submitPerspectives(deps.perspectives, request, PERSPECTIVES_WAIT_MS);
      return sendPage(
        c,
        <PerspectivesPage view={inOrder(view, request.documents)} tokenNeeded={false} />,
      );
    })
    .post('/', writes, async (c) => {
      const deps = c.get('deps');
      const form = await readForm(c);
      await requireFormToken(deps.config.API_TOKENS, form, c.req.header('authorization'));
      const ids = form.getAll('documents').filter((value) => typeof value === 'string');
      const request = runRequest(ids, {
        prompt: field(form, 'prompt'),
        provider: field(form, 'provider'),
        model: field(form, 'model'),
      });
      const { view } = await submitPerspectives(deps.perspectives, request, PERSPECTIVES_WAIT_MS);
      return c.redirect(`/perspectives/${view.id}`, 303);
    })
    .get('/:id', async (c) => {
      const deps = c.get('deps');
      const view = await getPerspectives(deps.perspectives, c.req.param('id'));
      return sendPage(c, <PerspectivesPage view={view} tokenNeeded={tokenNeeded(deps)} />);
    });
}

const tokenNeeded = (deps: Deps) => deps.config.API_TOKENS.length > 0;

/**
 * The documents of a comparison from a query or a form: ids separated by commas, in one field or
 * several, blanks ignored, each named once. @throws AppError 400 (the error page) for fewer than
 * two, more than the API takes, or an id that is not one.
 */
function runRequest(values: string[], fields: Record<string, string>): RunRequest {
  const ids = [
    ...new Set(
      values
        .flatMap((value) => value.split(','))
        .map((id) => id.trim().toLowerCase())
        .filter((id) => id !== ''),
    ),
  ];
  if (ids.length < MIN_DOCUMENTS || ids.length > MAX_DOCUMENTS)
    throw new AppError(
      'invalid_request',
      `Give ${MIN_DOCUMENTS} to ${MAX_DOCUMENTS} different document ids, separated by commas (got ${ids.length}).`,
    );
  const malformed = ids.find((id) => !DocumentId.safeParse(id).success);
  if (malformed !== undefined) {
    const shown = malformed.length > 70 ? `${malformed.slice(0, 70)}…` : malformed;
    throw new AppError(
      'invalid_request',
      `“${shown}” is not a document id: a document id is 64 hex digits.`,
    );
  }
  return { documents: ids, ...parseInput(RunFields, givenFields(fields), 'comparison') };
}

/**
 * The documents in the order the link gave them: a cached run keeps the order of whoever made it
 * first, but "this document, then the related one" should read left to right as asked.
 */
function inOrder(view: PerspectivesView, ids: readonly string[]): PerspectivesView {
  const rank = (id: string) => {
    const at = ids.indexOf(id);
    return at === -1 ? ids.length : at;
  };
  return { ...view, documents: [...view.documents].sort((a, b) => rank(a.id) - rank(b.id)) };
}
