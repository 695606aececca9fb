import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import type { AppEnv } from '../routes/app-env.js';

/** What a page on an allowed origin may send: the token, a JSON or upload body, revalidation, its own request id. */
export const CORS_ALLOW_HEADERS = [
  'Authorization',
  'Content-Type',
  'If-None-Match',
  'X-Request-Id',
];
/** What it may read besides the safelisted headers: the tag to revalidate with, where a brief is, when to poll again, the id to quote. */
export const CORS_EXPOSE_HEADERS = ['ETag', 'Location', 'Retry-After', 'X-Request-Id'];

/**
 * CORS for the API, from CORS_ORIGINS: a list of origins, or `['*']` for any. hono's cors()
 * answers preflights (204) and adds the headers; this wrapper keeps it away from requests whose
 * Origin is not allowed, which hono's would still give its expose, methods and headers lists:
 * a refused origin gets no CORS header at all, and a refused preflight the app's usual 404.
 *
 * With a list, every answer varies by Origin, the refused ones too: a shared cache that stored
 * one without Access-Control-Allow-Origin must not hand it to an allowed page (briefs are
 * cached for a year).
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  const any = origins.includes('*');
  const allowed = new Set(origins);
  const handler = cors({
    origin: any ? '*' : [...origins],
    allowMethods: ['GET', 'HEAD', 'POST'],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    // Browsers keep a preflight this long (Chromium caps it at 2 h).
    maxAge: 7200,
  });
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin !== undefined && (any || allowed.has(origin))) return handler(c, next);
    // Before the handler, so the app's 404 for an unknown route (thrown past this) has it too.
    if (!any) c.header('Vary', 'Origin');
    return next();
  };
}
