import { AppError } from '../errors.js';
import { normalizeText } from '../pipeline/normalize.js';
import { detect, isAcceptedDeclaredType, isPdf, type DocumentMediaType } from './detect.js';
import type { PageMap } from './pages.js';

export { pageOf, type PageMap } from './pages.js';
export { isAcceptedDeclaredType, typeFromFileName } from './detect.js';

export interface IngestedDocument {
  /** Normalized text (what the document id hashes and citation offsets index). */
  text: string;
  mediaType: DocumentMediaType;
  /** From the document itself (HTML <title> / article title, PDF metadata), when it has one. */
  title?: string;
  /** PDFs: where each page starts in `text`. */
  pageMap?: PageMap;
}

/**
 * Bytes + declared type (a Content-Type essence, lower-case, or a multipart part's type) →
 * text to brief. The bytes decide the reading (src/ingest/detect.ts); errors are AppErrors:
 * 415 for a type we do not read or one the bytes contradict, 400 for bytes we cannot read.
 * The PDF and HTML readers are imported on first use: a process that never sees one never
 * loads pdf.js or the DOM. All of it runs on Node and on Workers (test/worker.test.ts).
 */
export async function ingest(bytes: Uint8Array, declared: string): Promise<IngestedDocument> {
  if (!isAcceptedDeclaredType(declared)) {
    throw new AppError('unsupported_media_type', `Unsupported media type ${declared}. Send PDF, HTML, Markdown or plain text`);
  }
  let text: string | undefined;
  if (!isPdf(bytes)) {
    try {
      text = decodeUtf8(bytes);
    } catch (error) {
      // Declared as text: undecodable bytes are a bad body (400, as before). Declared as
      // anything else: they are a file type we do not read.
      if (declared.startsWith('text/')) throw error;
      throw new AppError('unsupported_media_type', `The ${declared || 'uploaded'} body is neither a PDF nor text (HTML, Markdown, plain). Send PDF, HTML, Markdown or plain text`);
    }
  }
  const detection = detect(declared, bytes, text);
  if (!detection.ok) throw new AppError('unsupported_media_type', `${detection.message}. Send PDF, HTML, Markdown or plain text`);
  if (detection.kind === 'pdf') {
    const { extractPdf } = await import('./pdf.js');
    const pdf = await extractPdf(bytes);
    return { text: pdf.text, mediaType: 'application/pdf', pageMap: pdf.pageMap, ...(pdf.title ? { title: pdf.title } : {}) };
  }
  if (detection.kind === 'html') {
    const { extractHtml } = await import('./html.js');
    const html = extractHtml(text!);
    const body = normalizeText(html.text);
    if (body.length === 0) throw new AppError('invalid_request', 'The HTML page has no readable text (its main content is empty)');
    return { text: body, mediaType: 'text/html', ...(html.title ? { title: html.title } : {}) };
  }
  // Plain text and Markdown are taken as they are: the brief service normalizes them.
  return { text: text!, mediaType: detection.mediaType };
}

/** Decodes a body as UTF-8, refusing bytes that are not (rather than replacing them silently). */
export function decodeUtf8(bytes: Uint8Array | ArrayBuffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new AppError('invalid_request', 'The body is not valid UTF-8 text');
  }
  // NUL never occurs in text; it marks a binary file sent as text/plain.
  if (text.includes('\u0000')) throw new AppError('invalid_request', 'The body looks like binary data, not text');
  return text;
}
