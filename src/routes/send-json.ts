import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * Bodies already serialized, by the frozen value they came from. The brief service hands out the
 * same frozen view of a succeeded brief to every request (src/briefs/service.ts), so a repeat GET
 * or POST sends the bytes made the first time, as a static file would, instead of re-encoding
 * ~7 KB of JSON. They are kept as UTF-8 bytes, so the socket write does not convert a string
 * every time either. Values that are not frozen may still change and are encoded every time.
 */
const serialized = new WeakMap<object, Uint8Array<ArrayBuffer>>();
const encoder = new TextEncoder();

/** `c.json(value, status)`, reusing the encoding of a frozen value. */
export function sendJson(c: Context, value: object, status: ContentfulStatusCode = 200): Response {
  if (!Object.isFrozen(value)) return c.json(value, status);
  let body = serialized.get(value);
  if (body === undefined) serialized.set(value, (body = encoder.encode(JSON.stringify(value))));
  return c.body(body, status, { 'content-type': 'application/json' });
}
