import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { AppError } from '../errors.js';
import type { AppEnv } from '../routes/app-env.js';

/**
 * 413 payload_too_large for a body over `maxBytes`, checked on the stream as it arrives, not
 * only on Content-Length (hono's bodyLimit does the streaming check).
 *
 * Two fast paths, because on Node hono's check reads `c.req.raw.body`, which builds a whole
 * Fetch Request and stream and turns off @hono/node-server's direct read of the body: GET and
 * HEAD carry no body, and a body with a Content-Length and no Transfer-Encoding cannot be
 * longer than that length (the HTTP parser stops there), so the header alone decides.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<AppEnv> {
  const tooLarge = () => {
    throw new AppError('payload_too_large', `The body is larger than ${maxBytes} bytes`);
  };
  const streaming = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (
      length !== undefined &&
      /^\d+$/.test(length) &&
      c.req.header('transfer-encoding') === undefined
    ) {
      return Number(length) > maxBytes ? tooLarge() : next();
    }
    return streaming(c, next);
  };
}
