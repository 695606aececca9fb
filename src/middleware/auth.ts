import type { MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import type { AppEnv } from '../routes/app-env.js';

/**
 * Bearer-token check for requests that write or spend LLM calls: every method but GET, HEAD and
 * OPTIONS, and a GET with `run=true` (GET /v1/compare?run=true briefs a missing version). Tokens are compared through their sha256 digests with a
 * loop that looks at every character, so the time taken does not depend on how much of a guess
 * was right. Tokens are never logged or echoed. With no tokens configured, writes are open.
 */
export function requireToken(tokens: readonly string[]): MiddlewareHandler<AppEnv> {
  const isValid = tokenChecker(tokens);
  return async (c, next) => {
    if (tokens.length === 0 || !(isWrite(c.req.method) || c.req.query('run') === 'true'))
      return next();
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match)
      throw new AppError(
        'unauthorized',
        'This route needs an Authorization: Bearer <token> header',
      );
    if (!(await isValid(match[1]!)))
      throw new AppError('unauthorized', 'The bearer token is not valid');
    return next();
  };
}

/**
 * Whether a presented token is one of `tokens`, by the digest comparison above. Shared by the
 * bearer check and the web UI's form posts (src/web/), which carry the token in a form field.
 */
export function tokenChecker(tokens: readonly string[]): (given: string) => Promise<boolean> {
  const digests = Promise.all(tokens.map((token) => sha256Hex(token)));
  return async (given) => {
    const digest = await sha256Hex(given);
    let found = false;
    for (const known of await digests) found = constantTimeEqual(digest, known) || found;
    return found;
  };
}

export function isWrite(method: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase());
}

/** Equal-length hex digests compared without an early exit. */
function constantTimeEqual(a: string, b: string): boolean {
  let difference = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i % b.length);
  return difference === 0;
}
