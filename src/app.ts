import { Hono, type Context } from 'hono';
import type { Deps } from './deps.js';
import { AppError, codeToStatus } from './errors.js';
import { requireToken, tokenChecker } from './middleware/auth.js';
import { limitBody } from './middleware/body-limit.js';
import { corsFor } from './middleware/cors.js';
import { rateLimit } from './middleware/rate-limit.js';
import { requestContext } from './middleware/request-context.js';
import type { ReferenceAssetReader } from './openapi/reference-page.js';
import type { AppEnv } from './routes/app-env.js';
import { briefOperations, briefRoutes } from './routes/briefs.js';
import { cacheOperations, cacheRoutes } from './routes/cache.js';
import { compareOperations, compareRoutes } from './routes/compare.js';
import { documentOperations, documentRoutes } from './routes/documents.js';
import { evalOperations, evalRoutes } from './routes/evals.js';
import { healthOperations, healthRoutes } from './routes/health.js';
import { perspectiveOperations, perspectiveRoutes } from './routes/perspectives.js';
import { promptOperations, promptRoutes } from './routes/prompts.js';
import { referenceRoutes } from './routes/reference.js';
import { statsOperations, statsRoutes } from './routes/stats.js';
import { notFoundPage, webRoutes } from './web/routes.js';

export interface AppOptions {
  /**
   * Derives one request's deps from the shared ones. Node omits it: one process, one set of
   * deps. The Worker uses it to give each request its own brief service, bound to that
   * request's `waitUntil` and with its own concurrency limit (see src/worker.ts).
   */
  requestDeps?: (shared: Deps, c: Context<AppEnv>) => Deps;
  /** The client's address, for rate limiting requests that carry no token. */
  clientAddress?: (c: Context<AppEnv>) => string | undefined;
  /** Reads the files of the API reference page (/docs); without it the page loads none of them. */
  referenceAssets?: ReferenceAssetReader;
}

/** Composes the HTTP app from its dependencies. No I/O happens here; entry points build `deps`. */
export function createApp(deps: Deps, options: AppOptions = {}) {
  const { requestDeps } = options;
  const app = new Hono<AppEnv>();

  app.use(requestContext(deps, requestDeps));
  // Pages on the CORS_ORIGINS may call the API. Writes need a token when API_TOKENS is set;
  // then each client has a request budget. A check that is turned off is not mounted at all:
  // every layer costs a cached read a promise. CORS comes first, so preflights are answered
  // before the token check and the budget, and the errors those give carry its headers too.
  const { API_TOKENS, RATE_LIMIT_PER_MINUTE, MAX_DOCUMENT_BYTES, CORS_ORIGINS } = deps.config;
  if (CORS_ORIGINS.length > 0) app.use('/v1/*', corsFor(CORS_ORIGINS));
  if (API_TOKENS.length > 0) app.use('/v1/*', requireToken(API_TOKENS));
  const limit = rateLimit({
    perMinute: RATE_LIMIT_PER_MINUTE,
    clientAddress: options.clientAddress ?? (() => undefined),
    isValidToken: tokenChecker(API_TOKENS),
  });
  // Every route has the budget, pages too, but for the health check and the pages' own static
  // files (one page load fetches two of them).
  if (RATE_LIMIT_PER_MINUTE > 0)
    app.use('*', (c, next) =>
      c.req.path === '/healthz' || c.req.path.startsWith('/assets/') ? next() : limit(c, next),
    );
  // Only requests that can carry a body pass through the body limit.
  app.on(['POST', 'PUT', 'PATCH', 'DELETE'], '/v1/*', limitBody(MAX_DOCUMENT_BYTES));

  // Each resource's routes, and the operations that document them in /openapi.json.
  const resources = [
    { path: '/healthz', routes: healthRoutes, operations: healthOperations },
    { path: '/v1/briefs', routes: briefRoutes, operations: briefOperations },
    { path: '/v1/documents', routes: documentRoutes, operations: documentOperations },
    { path: '/v1/prompts', routes: promptRoutes, operations: promptOperations },
    { path: '/v1/compare', routes: compareRoutes, operations: compareOperations },
    { path: '/v1/evals', routes: evalRoutes, operations: evalOperations },
    { path: '/v1/perspectives', routes: perspectiveRoutes, operations: perspectiveOperations },
    { path: '/v1/stats', routes: statsRoutes, operations: statsOperations },
    { path: '/v1/cache', routes: cacheRoutes, operations: cacheOperations },
  ];
  for (const resource of resources) app.route(resource.path, resource.routes);
  const operations = resources.flatMap((resource) => resource.operations);
  app.route('/', referenceRoutes({ operations, readAsset: options.referenceAssets })); // /openapi.json, /docs
  // The web UI (src/web/): pages at / and under it, under the same rate limit; its form posts
  // also pass the token check.
  app.route('/', webRoutes());

  app.notFound((c) => {
    const page = notFoundPage(c);
    if (page) return page;
    throw new AppError('not_found', `No route for ${c.req.method} ${c.req.path}`);
  });

  app.onError((error, c) => {
    const requestId = c.get('requestId');
    if (error instanceof AppError) {
      return c.json(
        {
          error: {
            code: error.code,
            message: error.message,
            requestId,
            ...(error.details ? { details: error.details } : {}),
          },
        },
        error.status,
      );
    }
    // A client that hangs up mid-upload makes the body stream fail ("aborted"): nobody is left
    // to answer, and it is no fault of the server's, so it is neither a 500 nor an error log.
    if (clientAborted(c, error)) {
      deps.logger.info('request aborted by the client', { requestId });
      return c.json(
        { error: { code: 'invalid_request', message: 'The request was aborted', requestId } },
        codeToStatus.invalid_request,
      );
    }
    deps.logger.error('unhandled error', {
      requestId,
      error: error instanceof Error ? error.stack : String(error),
    });
    return c.json(
      { error: { code: 'internal', message: 'Internal error', requestId } },
      codeToStatus.internal,
    );
  });

  return app;
}

export type App = ReturnType<typeof createApp>;

/** The client went away before its request was read: the request's signal, or Node's own error. */
function clientAborted(c: Context<AppEnv>, error: unknown): boolean {
  if (c.req.raw.signal?.aborted) return true;
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && (error.message === 'aborted' || code === 'ECONNRESET');
}
