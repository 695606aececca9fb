import { sha256Hex } from './hash.js';

/**
 * A strong entity tag for a response body: its sha256, quoted. Strong because equal tags mean
 * equal bytes, whatever produced them, so a client may use one for range requests or to skip a
 * download, and two processes (or a Node server and a Worker) serving one database give the same
 * tag to the same representation.
 */
export async function etagOf(body: Uint8Array<ArrayBuffer>): Promise<string> {
  return `"${await sha256Hex(body)}"`;
}

/** The opaque tags of an `If-None-Match` or `If-Match` value: `"x"` and `W/"x"` both give `x`. */
const ENTITY_TAG = /(?:W\/)?"([^"]*)"/g;

/**
 * Whether an `If-None-Match` header matches `etag` (RFC 9110 §13.1.2): `*` matches any current
 * representation; otherwise one of the listed tags must equal it by the weak comparison, which
 * ignores the `W/` prefix on either side (§8.8.3.2). A header with no tag in it matches nothing.
 */
export function ifNoneMatchMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const match of header.matchAll(ENTITY_TAG)) if (`"${match[1]}"` === opaque) return true;
  return false;
}
