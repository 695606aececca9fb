import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../deps.js';
import type { AppEnv } from '../routes/app-env.js';

/**
 * The headers every response carries: hono's `secureHeaders()` defaults (no CSP here; pages that
 * need one set their own). Set before the handler runs, so a handler may still override one.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Origin-Agent-Cluster': '?1',
  'Referrer-Policy': 'no-referrer',
  'Strict-Transport-Security': 'max-age=15552000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-DNS-Prefetch-Control': 'off',
  'X-Download-Options': 'noopen',
  'X-Frame-Options': 'SAMEORIGIN',
  'X-Permitted-Cross-Domain-Policies': 'none',
  'X-XSS-Protection': '0',
};

/** A client's own X-Request-Id is kept when it is short and plain (as hono's requestId middleware does). */
const CLIENT_REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * What every request gets, in one middleware: a request id (the client's, or a new UUID) in
 * `c.var.requestId` and the X-Request-Id header, the security headers, its deps in `c.var.deps`,
 * and one access-log line when it is answered (ids, route, status and timing; never bodies or
 * query strings).
 *
 * One middleware rather than hono's requestId + secureHeaders + a logger + a deps setter: each
 * layer of hono's compose costs a cached read an extra promise, and secureHeaders sets its
 * headers after the handler, on the finished response. On Node the headers go straight onto the
 * ServerResponse (`c.env.outgoing` of @hono/node-server; Node merges them into the head the
 * handler writes, and the handler's own values win); a Fetch `Headers` object would cost more
 * than the rest of a cached read (bench/README.md, cached_read_ratio). Elsewhere (Workers,
 * `app.request` in tests) they are set with `c.header`.
 */
export function requestContext(
  deps: Deps,
  requestDeps?: (shared: Deps, c: Context<AppEnv>) => Deps,
): MiddlewareHandler<AppEnv> {
  const { logger } = deps;
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId =
      given !== undefined && CLIENT_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.set('deps', requestDeps ? requestDeps(deps, c) : deps);
    const outgoing = nodeResponse(c);
    if (outgoing) {
      outgoing.setHeader('X-Request-Id', requestId);
      for (const name in SECURITY_HEADERS) outgoing.setHeader(name, SECURITY_HEADERS[name]!);
    } else {
      c.header('X-Request-Id', requestId);
      for (const name in SECURITY_HEADERS) c.header(name, SECURITY_HEADERS[name]);
    }
    await next();
    logger.info('request', {
      requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };
}

/** The Node ServerResponse behind this request, when @hono/node-server serves it. */
export function nodeResponse(
  c: Context<AppEnv>,
): { setHeader(name: string, value: string): unknown } | undefined {
  const outgoing = (c.env as { outgoing?: { setHeader?: unknown } } | undefined)?.outgoing;
  return typeof outgoing?.setHeader === 'function'
    ? (outgoing as { setHeader(name: string, value: string): unknown })
    : undefined;
}
