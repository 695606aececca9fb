import { AppError } from '../errors.js';
import { typeFromFileName } from './detect.js';
import { type IngestedDocument, type IngestOptions, ingest } from './index.js';

/** A document as read from a form: ingested bytes, or pasted text (read like JSON's `text`). */
export type FormDocument = Partial<IngestedDocument> & { text: string; mediaType: string };

export interface DocumentFormOptions {
  /** The named string fields the form may carry besides `file` and `text`. */
  fields: readonly string[];
  /**
   * A browser's form: it sends every field, unset ones empty, and an empty file part when no
   * file is chosen. Blank values then count as absent. An API client sends only what it means.
   */
  blankIsAbsent?: boolean;
  /** What reading the file may cost (the caller's `deps.config`; src/ingest/limits.ts). */
  limits?: IngestOptions;
}

/**
 * The one reader of a document sent as a form, for the API's multipart POST /v1/briefs and the
 * web UI's forms: a `file` part (its type detected from the bytes by ingest) or a pasted `text`
 * field, plus the named `fields`. Unknown, repeated or wrongly typed fields are 400, as in the
 * JSON body. A file part's declared type is its Content-Type; when that says nothing (empty or
 * application/octet-stream, as browsers send for unknown extensions) the file name's extension
 * stands in. Either way the bytes are checked (src/ingest/detect.ts).
 */
export async function readDocumentForm(
  form: FormData,
  options: DocumentFormOptions,
): Promise<{ document: FormDocument; fields: Record<string, string> }> {
  const allowed = new Set(['file', 'text', ...options.fields]);
  const fields: Record<string, string> = {};
  let file: File | undefined;
  let text: string | undefined;
  const seen = new Set<string>();
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, key) => {
    entries.push([key, value]);
  });
  for (const [key, value] of entries) {
    if (!allowed.has(key))
      throw new AppError(
        'invalid_request',
        `Unknown form field "${key}": send file (or text), ${options.fields.join(', ')}`,
      );
    if (seen.has(key))
      throw new AppError('invalid_request', `The form field "${key}" is given more than once`);
    seen.add(key);
    if (
      options.blankIsAbsent &&
      (typeof value === 'string' ? value.trim() === '' : value.size === 0 && value.name === '')
    ) {
      // not given: a browser's empty field, or its empty file part when no file is chosen
    } else if (key === 'file') {
      if (typeof value === 'string')
        throw new AppError(
          'invalid_request',
          'The form field "file" must be a file upload, not a string',
        );
      file = value as File;
    } else if (typeof value !== 'string') {
      throw new AppError('invalid_request', `The form field "${key}" must be a string, not a file`);
    } else if (key === 'text') {
      text = value;
    } else {
      fields[key] = value;
    }
  }
  if (file && text !== undefined)
    throw new AppError(
      'invalid_request',
      'Send the document as a file or as pasted text, not both',
    );
  if (!file && text === undefined) {
    throw new AppError(
      'invalid_request',
      'Paste the document’s text or choose a file (a "file" part or a "text" field)',
    );
  }
  if (text !== undefined) return { document: { text, mediaType: 'text/plain' }, fields };
  const ownType = essence(file!.type);
  const declared =
    ownType && ownType !== 'application/octet-stream'
      ? ownType
      : (typeFromFileName(file!.name) ?? 'application/octet-stream');
  return {
    document: await ingest(
      new Uint8Array(await file!.arrayBuffer()),
      declared,
      charsetOf(file!.type),
      options.limits,
    ),
    fields,
  };
}

/** A media type without parameters, lower-cased: `Text/HTML; charset=utf-8` → `text/html`. */
export function essence(type: string | undefined | null): string {
  return (type ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The `charset` parameter of a media type, if it has one: `text/html; charset=ISO-8859-1` → `iso-8859-1`. */
export function charsetOf(type: string | undefined | null): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type ?? '')?.[1]?.toLowerCase();
}
