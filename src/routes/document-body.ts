import type { HonoRequest } from 'hono';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { charsetOf, essence, readDocumentForm } from '../ingest/form.js';
import { type IngestOptions, ingest } from '../ingest/index.js';
import { parseInput, readJson } from './app-env.js';

/** A document as a request sent it, with the request's other fields. */
export type DocumentBody<Fields> = Fields & {
  text: string;
  title?: string | undefined;
  mediaType: string;
  pageMap?: number[] | undefined;
};

/**
 * The document of a POST that carries one (POST /v1/briefs, POST /v1/documents), from whichever
 * of its three body forms it came in: JSON (`json`: the document's `text` and the fields),
 * multipart (a `file` part or a `text` field, plus `form`'s fields) or a raw body (its type
 * detected from the bytes; the fields come from `query`). `limits` (the app's config) bound
 * what reading a file may cost (src/ingest/limits.ts).
 */
export async function readDocumentBody<Fields extends { title?: string | undefined }>(
  request: HonoRequest,
  query: Fields,
  schemas: { json: z.ZodType<Fields & { text: string }>; form: z.ZodObject },
  limits: IngestOptions,
): Promise<DocumentBody<Fields>> {
  const mediaType = essence(request.header('content-type'));
  if (mediaType === 'application/json') {
    return {
      ...parseInput(schemas.json, await readJson(request), 'body'),
      mediaType: 'text/plain',
    };
  }
  if (mediaType === 'multipart/form-data') {
    // A file part (PDF, HTML, Markdown, text: read by src/ingest/) or a pasted `text` field.
    let formData: FormData;
    try {
      formData = await request.formData();
    } catch {
      throw new AppError('invalid_request', 'The body is not valid multipart/form-data');
    }
    const { document, fields } = await readDocumentForm(formData, {
      fields: Object.keys(schemas.form.shape),
      limits,
    });
    const given = parseInput(schemas.form, fields, 'form') as Fields;
    return { ...query, ...given, ...document, title: given.title ?? query.title ?? document.title };
  }
  if (mediaType && mediaType !== 'application/x-www-form-urlencoded') {
    // A raw document; its type is detected from the bytes, the header only narrows it (src/ingest/detect.ts).
    const document = await ingest(
      new Uint8Array(await request.arrayBuffer()),
      mediaType,
      charsetOf(request.header('content-type')),
      limits,
    );
    return { ...query, ...document, title: query.title ?? document.title };
  }
  throw new AppError(
    'unsupported_media_type',
    'Send the document as application/json ({ "text": ... }), multipart/form-data (a "file" part), or a raw ' +
      `application/pdf, text/html, text/markdown or text/plain body; got ${mediaType || 'no content type'}`,
  );
}
