import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import { getBrief } from '../briefs/queries.js';
import { submitBrief } from '../briefs/submit.js';
import { getDocument } from '../documents/queries.js';
import { relatedDocuments, type RelatedDocument } from '../documents/related.js';
import { AppError } from '../errors.js';
import { limitBody } from '../middleware/body-limit.js';
import type { AppEnv } from '../routes/app-env.js';
import { script } from './assets/script.js';
import { stylesheet } from './assets/style.js';
import { compareRoutes } from './compare-routes.js';
import { readForm, readSubmission, requireFormToken, submitValues } from './forms.js';
import { sendPage } from './layout.js';
import { listRoutes } from './list-routes.js';
import { BriefPage } from './pages/brief.js';
import { ErrorPage, errorHeading } from './pages/error.js';
import { HomePage, type SubmitValues } from './pages/home.js';
import { perspectivesRoutes } from './perspectives-routes.js';

/**
 * How long a form post waits for its brief before showing the progress page: a brief done by
 * then (the offline analyst, a cached one) opens finished; a longer one opens on its progress.
 */
export const FORM_WAIT_MS = 1_000;

/** Related documents a brief page lists, best first. */
const RELATED_ON_BRIEF_PAGE = 5;

/**
 * The web UI, mounted at `/`: server-rendered pages (Hono JSX) that call the domain services
 * directly. The app's rate limit covers them as it covers /v1 (one client, one budget); form
 * posts also pass the body limit and the API's token check (src/web/forms.ts).
 */
export function webRoutes() {
  const writes: MiddlewareHandler<AppEnv> = (c, next) =>
    limitBody(c.get('deps').config.MAX_DOCUMENT_BYTES)(c, next);

  const app = new Hono<AppEnv>()
    .get('/assets/app.css', (c) => asset(c.body(stylesheet), 'text/css; charset=utf-8'))
    .get('/assets/app.js', (c) => asset(c.body(script), 'text/javascript; charset=utf-8'))
    .get('/', (c) => sendPage(c, home(c.get('deps'), defaults(c.get('deps')))))
    .post('/briefs', writes, async (c) => {
      const deps = c.get('deps');
      const form = await readForm(c);
      try {
        await requireFormToken(deps.config.API_TOKENS, form, c.req.header('authorization'));
        const { view } = await submitBrief(
          deps.briefs,
          await readSubmission(form, deps.ingest),
          FORM_WAIT_MS,
        );
        return c.redirect(`/briefs/${view.id}`, 303);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        // The form again, as it was sent, with what was wrong; the status says it too.
        const page = home(deps, submitValues(form), {
          title: errorHeading(error.code),
          message: error.message,
        });
        return sendPage(c, page, error.status);
      }
    })
    .get('/briefs/:id', async (c) => {
      const deps = c.get('deps');
      const view = await getBrief(deps.briefs, c.req.param('id'));
      const document =
        view.status === 'succeeded' ? await getDocument(deps, view.document.id, true) : null;
      const promptRefs = deps.prompts.list().map((prompt) => prompt.ref);
      // Not while it runs: that page reloads itself every few seconds.
      const related =
        view.status === 'running'
          ? undefined
          : await relatedTo(deps, view.document.id, c.get('requestId'));
      return sendPage(
        c,
        <BriefPage
          view={view}
          document={document}
          promptRefs={promptRefs}
          tokenNeeded={deps.config.API_TOKENS.length > 0}
          related={related}
        />,
      );
    })
    // A failed brief, submitted again with its own document, prompt version and model.
    .post('/briefs/:id/retry', writes, async (c) => {
      const deps = c.get('deps');
      await requireFormToken(
        deps.config.API_TOKENS,
        await readForm(c),
        c.req.header('authorization'),
      );
      const view = await getBrief(deps.briefs, c.req.param('id'));
      if (view.status !== 'failed') return c.redirect(`/briefs/${view.id}`, 303);
      const document = await getDocument(deps, view.document.id, true);
      const input = {
        text: document.text!,
        title: document.title ?? undefined,
        prompt: view.prompt.ref,
        provider: view.provider,
        model: view.model,
        mediaType: document.mediaType,
      };
      const { view: again } = await submitBrief(deps.briefs, input, FORM_WAIT_MS);
      return c.redirect(`/briefs/${again.id}`, 303);
    })
    .route('/briefs', listRoutes)
    .route('/compare', compareRoutes(writes))
    .route('/perspectives', perspectivesRoutes(writes));

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    if (error instanceof AppError)
      return sendPage(
        c,
        <ErrorPage code={error.code} message={error.message} requestId={requestId} />,
        error.status,
      );
    c.get('deps').logger.error('unhandled error', {
      requestId,
      error: error instanceof Error ? error.stack : String(error),
    });
    return sendPage(
      c,
      <ErrorPage code="internal" message="Internal error." requestId={requestId} />,
      500,
    );
  });
  return app;
}

/**
 * The answer to a path no route has, for a browser (it asks for HTML, and the path is not an
 * API path): the error page instead of the API's JSON error.
 */
export function notFoundPage(c: Context<AppEnv>): Response | undefined {
  if (c.req.path.startsWith('/v1/') || !(c.req.header('accept') ?? '').includes('text/html'))
    return undefined;
  const message = `There is no page at ${c.req.path}.`;
  return sendPage(
    c,
    <ErrorPage code="not_found" message={message} requestId={c.get('requestId')} />,
    404,
  );
}

function home(deps: Deps, values: SubmitValues, error?: { title: string; message: string }) {
  const { prompts, providers, config } = deps;
  const latest = new Set(prompts.list().map((prompt) => prompts.resolve(prompt.name).ref));
  return (
    <HomePage
      prompts={prompts.list().map((prompt) => ({
        ref: prompt.ref,
        description: prompt.description,
        latest: latest.has(prompt.ref),
      }))}
      providers={providers.all.map(({ name, defaultModel }) => ({ name, defaultModel }))}
      values={values}
      tokenNeeded={config.API_TOKENS.length > 0}
      maxBytes={config.MAX_DOCUMENT_BYTES}
      error={error}
    />
  );
}

/**
 * The documents related to a brief's document, for its page; null when they cannot be read (the
 * panel says so, logged: the brief itself is still shown).
 */
async function relatedTo(
  deps: Deps,
  documentId: string,
  requestId: string,
): Promise<RelatedDocument[] | null> {
  try {
    return (await relatedDocuments(deps, documentId, RELATED_ON_BRIEF_PAGE)).related;
  } catch (error) {
    deps.logger.warn('related documents failed', {
      requestId,
      documentId,
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
}

function defaults(deps: Deps): SubmitValues {
  return {
    text: '',
    title: '',
    prompt: deps.prompts.resolve(deps.config.DEFAULT_PROMPT).ref,
    provider: deps.providers.default.name,
    model: '',
  };
}

/** The stylesheet and script change only with a deployment: cache them briefly. */
function asset(response: Response, contentType: string): Response {
  response.headers.set('content-type', contentType);
  response.headers.set('cache-control', 'public, max-age=300');
  return response;
}
