import { AppError } from '../errors.js';
import { yieldToEventLoop } from '../lib/wait.js';
import { normalizeText } from '../pipeline/normalize.js';
import {
  detect,
  isAcceptedDeclaredType,
  isPdf,
  looksLikeHtml,
  type DocumentMediaType,
} from './detect.js';
import { defaultLimits, type IngestOptions } from './limits.js';
import type { PageMap } from './pages.js';

export { pageOf, type PageMap } from './pages.js';
export { isAcceptedDeclaredType, typeFromFileName } from './detect.js';
export type { IngestLimits, IngestOptions } from './limits.js';

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
 * `limits` (the routes pass `deps.config`) bound what reading a PDF or an HTML page may cost:
 * past one, 413 before the work it bounds (src/ingest/limits.ts); unset, the defaults apply.
 */
export async function ingest(
  bytes: Uint8Array,
  declared: string,
  charset?: string,
  limits: IngestOptions = defaultLimits(),
): Promise<IngestedDocument> {
  if (!isAcceptedDeclaredType(declared)) {
    throw new AppError(
      'unsupported_media_type',
      `Unsupported media type ${declared}. Send PDF, HTML, Markdown or plain text`,
    );
  }
  let text: string | undefined;
  if (!isPdf(bytes)) {
    try {
      // Only an HTML page names its encoding in a <meta>; a text that quotes one does not.
      const head = latin1(bytes.subarray(0, 1024));
      const html =
        declared === 'text/html' || declared === 'application/xhtml+xml' || looksLikeHtml(head);
      text = await decodeText(bytes, charset ?? (html ? metaCharset(head) : undefined));
    } catch (error) {
      // Declared as text: undecodable bytes are a bad body (400, as before). Declared as
      // anything else: they are a file type we do not read.
      if (declared.startsWith('text/')) throw error;
      throw new AppError(
        'unsupported_media_type',
        `The ${declared || 'uploaded'} body is neither a PDF nor text (HTML, Markdown, plain). Send PDF, HTML, Markdown or plain text`,
      );
    }
  }
  const detection = detect(declared, bytes, text);
  if (!detection.ok)
    throw new AppError(
      'unsupported_media_type',
      `${detection.message}. Send PDF, HTML, Markdown or plain text`,
    );
  if (detection.kind === 'pdf') {
    const pdf = limits.readPdf
      ? await limits.readPdf(bytes, pickLimits(limits))
      : await (await import('./pdf.js')).extractPdf(bytes, limits);
    return {
      text: pdf.text,
      mediaType: 'application/pdf',
      pageMap: pdf.pageMap,
      ...(pdf.title ? { title: pdf.title } : {}),
    };
  }
  if (detection.kind === 'html') {
    const html = limits.readHtml
      ? await limits.readHtml(text!, pickLimits(limits))
      : (await import('./html.js')).extractHtml(text!, limits);
    const body = normalizeText(html.text);
    if (body.length === 0)
      throw new AppError(
        'invalid_request',
        'The HTML page has no readable text (its main content is empty)',
      );
    return { text: body, mediaType: 'text/html', ...(html.title ? { title: html.title } : {}) };
  }
  // Plain text and Markdown are taken as they are: the brief service normalizes them.
  return { text: text!, mediaType: detection.mediaType };
}

/**
 * Decodes a text body. The encoding is, in this order: a byte-order mark; `charset` (what the
 * Content-Type declares or, for an HTML page, its `<meta charset>` names); else UTF-8. Bytes
 * that are not valid in that encoding are refused rather than replaced silently.
 */
export async function decodeText(bytes: Uint8Array, charset?: string): Promise<string> {
  const bom =
    bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf
      ? 'utf-8'
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? 'utf-16be'
        : bytes[0] === 0xff && bytes[1] === 0xfe
          ? 'utf-16le'
          : undefined;
  const label = bom ?? charset?.trim().toLowerCase() ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new AppError('unsupported_media_type', `Unsupported charset "${label}"`);
  }
  // Decoded a slice at a time, the event loop served between slices: 7 MB in one call holds it
  // for 30–50 ms (issue 17). The decoder carries a character split across slices.
  const parts: string[] = [];
  let at = 0;
  do {
    if (at > 0) await yieldToEventLoop();
    const end = Math.min(at + DECODE_SLICE, bytes.length);
    let part: string;
    try {
      part = decoder.decode(bytes.subarray(at, end), { stream: end < bytes.length });
    } catch {
      throw new AppError(
        'invalid_request',
        `The body is not valid ${decoder.encoding === 'utf-8' ? 'UTF-8' : decoder.encoding} text`,
      );
    }
    // NUL never occurs in text; it marks a binary file sent as text/plain.
    if (part.includes('\u0000'))
      throw new AppError('invalid_request', 'The body looks like binary data, not text');
    parts.push(part);
    at = end;
  } while (at < bytes.length);
  return parts.join('');
}

/** Bytes decoded per turn of the event loop: about 3 ms of work. */
const DECODE_SLICE = 512 * 1024;

/** The encoding an HTML page names for itself in `head` (its first 1,024 bytes), if any (WHATWG "prescan", simplified). */
function metaCharset(head: string): string | undefined {
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head);
  const label = match?.[1]?.toLowerCase();
  // A page that claims UTF-16 while being read as ASCII bytes is wrong about itself (WHATWG).
  return label && !label.startsWith('utf-16') ? label : undefined;
}

/** Bytes as Latin-1 characters: enough to read the ASCII markup at the start of a page. */
function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

/** The limits alone (plain data: they cross to the work thread with the page). */
function pickLimits(options: IngestOptions) {
  const { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS } = options;
  return { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS };
}
