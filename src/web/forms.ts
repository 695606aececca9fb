import type { Context } from 'hono';
import { z } from 'zod';
import type { SubmitInput } from '../briefs/service.js';
import { AppError } from '../errors.js';
import { readUploadForm } from '../ingest/form.js';
import { ingest, type IngestedDocument } from '../ingest/index.js';
import { tokenChecker } from '../middleware/auth.js';
import type { SubmitValues } from './pages/home.js';

/** The body of a form post (multipart or url-encoded); anything else is 400. */
export async function readForm(c: Context): Promise<FormData> {
  try {
    return await c.req.formData();
  } catch {
    throw new AppError('invalid_request', 'The body is not a form (multipart/form-data or application/x-www-form-urlencoded)');
  }
}

/** A text field's value, or '' when absent or a file. */
export function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}

/**
 * The web UI's write check, the same as the API's: with API_TOKENS set, a form post needs one
 * of them, in its `token` field (what the pages send) or as a bearer header (scripts). There is
 * no session or cookie, so nothing else can stand in for the token.
 */
export async function requireFormToken(tokens: readonly string[], form: FormData, authorization: string | undefined): Promise<void> {
  if (tokens.length === 0) return;
  const given = field(form, 'token').trim() || /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given) throw new AppError('unauthorized', 'This server needs an API token for new briefs: enter one of its API tokens.');
  if (!(await tokenChecker(tokens)(given))) throw new AppError('unauthorized', 'The API token is not valid.');
}

/** What the submit form echoes back after a refusal: never the token, never a file. */
export function submitValues(form: FormData): SubmitValues {
  return { text: field(form, 'text'), title: field(form, 'title'), prompt: field(form, 'prompt'), provider: field(form, 'provider'), model: field(form, 'model') };
}

const Fields = z.object({
  title: z.string().max(500, 'The title is longer than 500 characters'),
  prompt: z.string().trim().max(100),
  provider: z.string().trim().max(50),
  model: z.string().trim().max(200),
});

/**
 * The home page's form as a submission: the pasted text or the uploaded file (read exactly as
 * POST /v1/briefs reads an upload: type detected from the bytes, PDF and HTML extracted).
 * Browsers send an empty file part when no file is chosen; that counts as no file.
 */
export async function readSubmission(form: FormData): Promise<SubmitInput> {
  const values = submitValues(form);
  const parsed = Fields.safeParse(values);
  if (!parsed.success) throw new AppError('invalid_request', parsed.error.issues.map((issue) => issue.message).join('; '));
  const { title, prompt, provider, model } = parsed.data;
  const upload = form.get('file');
  const file = upload !== null && typeof upload !== 'string' && (upload.size > 0 || upload.name !== '') ? upload : undefined;
  const hasText = values.text.trim() !== '';
  if (file && hasText) throw new AppError('invalid_request', 'Paste text or choose a file, not both: empty the text box or clear the file.');
  if (!file && !hasText) throw new AppError('invalid_request', 'Paste the document’s text or choose a file.');

  const document = new FormData();
  if (file) document.set('file', file);
  else document.set('text', values.text);
  const read = await readUploadForm(document);
  const doc: Partial<IngestedDocument> & { text: string; mediaType: string } =
    read.document.kind === 'text' ? { text: read.document.text, mediaType: 'text/plain' } : await ingest(read.document.bytes, read.document.declared, read.document.charset);
  return { ...doc, title: title.trim() || doc.title, prompt: prompt || undefined, provider: provider || undefined, model: model || undefined };
}
