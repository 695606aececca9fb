import type { Context } from 'hono';
import type { SubmitInput } from '../briefs/submit.js';
import { AppError } from '../errors.js';
import { readDocumentForm } from '../ingest/form.js';
import type { IngestOptions } from '../ingest/index.js';
import { tokenChecker } from '../middleware/auth.js';
import { parseInput } from '../routes/app-env.js';
import { UPLOAD_FIELDS, UploadFields } from '../routes/briefs.js';
import type { SubmitValues } from './pages/home.js';

/** The body of a form post (multipart or url-encoded); anything else is 400. */
export async function readForm(c: Context): Promise<FormData> {
  try {
    return await c.req.formData();
  } catch {
    throw new AppError(
      'invalid_request',
      'The body is not a form (multipart/form-data or application/x-www-form-urlencoded)',
    );
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
export async function requireFormToken(
  tokens: readonly string[],
  form: FormData,
  authorization: string | undefined,
): Promise<void> {
  if (tokens.length === 0) return;
  const given = field(form, 'token').trim() || /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (!given)
    throw new AppError(
      'unauthorized',
      'This server needs an API token for new briefs: enter one of its API tokens.',
    );
  if (!(await tokenChecker(tokens)(given)))
    throw new AppError('unauthorized', 'The API token is not valid.');
}

/** What the submit form echoes back after a refusal: never the token, never a file. */
export function submitValues(form: FormData): SubmitValues {
  return {
    text: field(form, 'text'),
    title: field(form, 'title'),
    prompt: field(form, 'prompt'),
    provider: field(form, 'provider'),
    model: field(form, 'model'),
  };
}

/**
 * The home page's form as a submission, read exactly as POST /v1/briefs reads a multipart
 * upload (readDocumentForm, UploadFields): the pasted text or the uploaded file, with the same
 * field rules. A browser sends every field, so blank ones count as not given.
 */
export async function readSubmission(form: FormData, limits: IngestOptions): Promise<SubmitInput> {
  const { document, fields } = await readDocumentForm(form, {
    fields: [...UPLOAD_FIELDS, 'token'],
    blankIsAbsent: true,
    limits,
  });
  const { token: _token, ...rest } = fields;
  const given = parseInput(UploadFields, rest, 'form');
  return { ...given, ...document, title: given.title ?? document.title };
}
