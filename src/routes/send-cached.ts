import type { Context } from 'hono';
import { etagOf, ifNoneMatchMatches } from '../lib/etag.js';
import { nodeResponse } from '../middleware/request-context.js';

/**
 * How long clients and caches may keep a response (README "HTTP caching").
 * - `immutable`: final; kept a year and never revalidated (a succeeded brief, a prompt version
 *   that is no longer the latest).
 * - `revalidate`: kept, but checked with `If-None-Match` before every use, which costs a 304 when
 *   nothing changed (a document, whose list of briefs grows; the latest prompt version).
 * - `no-store`: still changing, not kept (a running or failed brief).
 */
export type CachePolicy = 'immutable' | 'revalidate' | 'no-store';

const ONE_YEAR_SECONDS = 31_536_000;

/**
 * The Cache-Control value for a policy. A request that carried an Authorization header is
 * answered `private`: reads need no token today, so its answer is the same as anyone's, but a
 * shared cache should not be the one to decide that an authorised answer is public (RFC 9111
 * §3.5 lets it store one only when told `public`). Anonymous requests get `public`.
 */
export function cacheControl(policy: CachePolicy, authorized: boolean): string {
  if (policy === 'no-store') return 'no-store';
  const scope = authorized ? 'private' : 'public';
  return policy === 'immutable'
    ? `${scope}, max-age=${ONE_YEAR_SECONDS}, immutable`
    : `${scope}, no-cache`;
}

interface Representation {
  body: Uint8Array<ArrayBuffer>;
  etag: string;
}

/**
 * The bytes and tag of frozen values (the brief service's views of succeeded briefs), made once:
 * a repeated GET neither re-encodes ~7 KB of JSON nor hashes it again (as src/routes/send-json.ts).
 */
const representations = new WeakMap<object, Promise<Representation>>();
const encoder = new TextEncoder();

async function represent(value: object): Promise<Representation> {
  const body = encoder.encode(JSON.stringify(value));
  return { body, etag: await etagOf(body) };
}

/**
 * A 200 with `value` as JSON, its strong ETag and the policy's Cache-Control; or a bodiless 304
 * with the same two headers when the request's `If-None-Match` matches the tag.
 */
export async function sendCached(
  c: Context,
  value: object,
  policy: CachePolicy,
): Promise<Response> {
  let pending = Object.isFrozen(value) ? representations.get(value) : undefined;
  if (!pending) {
    pending = represent(value);
    if (Object.isFrozen(value)) representations.set(value, pending);
  }
  const { body, etag } = await pending;
  const control = cacheControl(policy, c.req.header('authorization') !== undefined);
  // On Node, straight onto the ServerResponse, as request-context does: built as a Fetch
  // Headers object, headers were what made cached reads slow (README "Performance").
  const outgoing = nodeResponse(c);
  if (outgoing) {
    outgoing.setHeader('ETag', etag);
    outgoing.setHeader('Cache-Control', control);
  } else {
    c.header('ETag', etag);
    c.header('Cache-Control', control);
  }
  if (ifNoneMatchMatches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  return c.body(body, 200, { 'content-type': 'application/json' });
}
