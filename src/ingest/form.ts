import { AppError } from '../errors.js';
import { typeFromFileName } from './detect.js';

const FIELDS = new Set(['file', 'text', 'title', 'prompt', 'provider', 'model']);

export interface UploadForm {
  /** The uploaded file's bytes and declared type, or the `text` field (pasted text, read like JSON's `text`). */
  document: { kind: 'file'; bytes: Uint8Array; declared: string; charset: string | undefined; name: string } | { kind: 'text'; text: string };
  fields: { title?: string; prompt?: string; provider?: string; model?: string };
}

/**
 * A multipart/form-data POST: a `file` part (or a `text` field: a pasted document), plus
 * optional `title`, `prompt`, `provider`, `model`. Unknown fields are refused, as in the JSON body. A file
 * part's declared type is its Content-Type; when that says nothing (empty or
 * application/octet-stream, as browsers send for unknown extensions) the file name's
 * extension stands in. Either way the bytes are checked (src/ingest/detect.ts).
 */
export async function readUploadForm(form: FormData): Promise<UploadForm> {
  const fields: Record<string, string> = {};
  let file: File | undefined;
  let text: string | undefined;
  const seen = new Set<string>();
  const entries: [string, FormDataEntryValue][] = [];
  form.forEach((value, key) => entries.push([key, value]));
  for (const [key, value] of entries) {
    if (!FIELDS.has(key)) throw new AppError('invalid_request', `Unknown form field "${key}": send file (or text), title, prompt, provider, model`);
    if (seen.has(key)) throw new AppError('invalid_request', `The form field "${key}" is given more than once`);
    seen.add(key);
    if (key === 'file') {
      if (typeof value === 'string') throw new AppError('invalid_request', 'The form field "file" must be a file upload, not a string');
      file = value as File;
    } else if (typeof value !== 'string') {
      throw new AppError('invalid_request', `The form field "${key}" must be a string, not a file`);
    } else if (key === 'text') {
      text = value;
    } else {
      fields[key] = value;
    }
  }
  if (file && text !== undefined) throw new AppError('invalid_request', 'Send either a file or a text field, not both');
  if (!file && text === undefined) throw new AppError('invalid_request', 'The form has no "file" part (or "text" field) with the document');
  if (text !== undefined) return { document: { kind: 'text', text }, fields };
  const ownType = essence(file!.type);
  const declared = ownType && ownType !== 'application/octet-stream' ? ownType : (typeFromFileName(file!.name) ?? 'application/octet-stream');
  return { document: { kind: 'file', bytes: new Uint8Array(await file!.arrayBuffer()), declared, charset: charsetOf(file!.type), name: file!.name }, fields };
}

/** A media type without parameters, lower-cased: `Text/HTML; charset=utf-8` → `text/html`. */
export function essence(type: string | undefined | null): string {
  return (type ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The `charset` parameter of a media type, if it has one: `text/html; charset=ISO-8859-1` → `iso-8859-1`. */
export function charsetOf(type: string | undefined | null): string | undefined {
  return /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(type ?? '')?.[1]?.toLowerCase();
}
