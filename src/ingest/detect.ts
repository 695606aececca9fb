/**
 * Media-type detection for uploaded documents: the bytes decide, the declared type only
 * chooses between readings the bytes allow. Decisions (README, "POST /v1/briefs"):
 * - `%PDF-` in the first 1024 bytes (where pdf.js looks for it) makes a PDF;
 * - a text body whose first markup (after a BOM, whitespace and comments) is one of the
 *   WHATWG sniffing markers (`<!doctype html`, `<html`, `<head`, `<body`, `<p`, `<div`…) is HTML;
 * - anything else that decodes as UTF-8 is text.
 * A declared type that contradicts the bytes across families (PDF vs text) is refused with 415
 * rather than guessed at: it is almost always the wrong file. Within the text family the bytes
 * correct the label: a whole HTML page (`<!doctype html` or `<html`) sent as text/plain or
 * text/markdown is read as HTML; a text/html body is read as HTML even without markers
 * (a fragment is still HTML).
 */

export type SniffedType = 'application/pdf' | 'text/html' | 'text';

/** The media types a document can be stored with. */
export type DocumentMediaType = 'application/pdf' | 'text/html' | 'text/markdown' | 'text/plain';

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46, 0x2d]; // %PDF-
const PDF_MAGIC_WINDOW = 1024;

export function isPdf(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, PDF_MAGIC_WINDOW) - PDF_MAGIC.length;
  outer: for (let i = 0; i <= end; i++) {
    for (let j = 0; j < PDF_MAGIC.length; j++) if (bytes[i + j] !== PDF_MAGIC[j]) continue outer;
    return true;
  }
  return false;
}

// WHATWG MIME Sniffing, "rules for identifying an unknown MIME type": these tags, case-insensitive,
// followed by a space or `>`.
const HTML_MARKERS =
  /^<(!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p)[\s>]/i;
/** A whole page, not a fragment: strong enough to overrule a declared text/plain or text/markdown. */
const HTML_PAGE_MARKERS = /^<(!doctype html|html)[\s>]/i;

/** The start of the text after a BOM, whitespace, and leading `<!-- … -->` comments or `<?xml …?>`. */
function markupStart(text: string): string {
  let rest = text.slice(0, 4096).replace(/^\uFEFF/, '');
  for (;;) {
    rest = rest.trimStart();
    const skip = /^(<!--[\s\S]*?-->|<\?xml[\s\S]*?\?>)/.exec(rest);
    if (!skip) return rest;
    rest = rest.slice(skip[0].length);
  }
}

export function looksLikeHtml(text: string): boolean {
  return HTML_MARKERS.test(markupStart(text));
}

export function looksLikeHtmlPage(text: string): boolean {
  return HTML_PAGE_MARKERS.test(markupStart(text));
}

/** Declared types (the Content-Type's essence, or a multipart file part's type) we read, and what each claims. */
const DECLARED: Record<string, 'pdf' | 'html' | 'markdown' | 'text' | 'any'> = {
  'application/pdf': 'pdf',
  'application/x-pdf': 'pdf',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
  // No claim: the bytes decide (a multipart file part often carries one of these, or nothing).
  'application/octet-stream': 'any',
  '': 'any',
};

const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  html: 'text/html',
  htm: 'text/html',
  md: 'text/markdown',
  markdown: 'text/markdown',
  txt: 'text/plain',
  text: 'text/plain',
};

/** A file name's extension as a declared type, for multipart parts that declare none. */
export function typeFromFileName(name: string | undefined): string | undefined {
  const ext = /\.([a-z0-9]+)$/i.exec(name ?? '')?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

export function isAcceptedDeclaredType(declared: string): boolean {
  return declared in DECLARED;
}

export type Detection =
  | { ok: true; kind: 'pdf' }
  | { ok: true; kind: 'html' }
  | { ok: true; kind: 'text'; mediaType: 'text/plain' | 'text/markdown' }
  | { ok: false; message: string };

/**
 * What to read the bytes as. `text` is the body decoded as UTF-8 when it is text (undefined
 * for a PDF); decoding problems are the caller's (they answer 400, as for text/plain before).
 */
export function detect(declared: string, bytes: Uint8Array, text: string | undefined): Detection {
  const claim = DECLARED[declared];
  if (claim === undefined) return { ok: false, message: `Unsupported media type ${declared}` };
  if (isPdf(bytes)) {
    if (claim === 'pdf' || claim === 'any') return { ok: true, kind: 'pdf' };
    return {
      ok: false,
      message: `The body was declared ${declared} but it is a PDF: send it as application/pdf`,
    };
  }
  if (claim === 'pdf')
    return {
      ok: false,
      message: 'The body was declared application/pdf but it is not a PDF (no %PDF- header)',
    };
  if (claim === 'html') return { ok: true, kind: 'html' };
  if (text !== undefined && (claim === 'any' ? looksLikeHtml(text) : looksLikeHtmlPage(text)))
    return { ok: true, kind: 'html' };
  return {
    ok: true,
    kind: 'text',
    mediaType: claim === 'markdown' ? 'text/markdown' : 'text/plain',
  };
}
