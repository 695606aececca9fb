import type { PdfContent } from './pdf.js';
import { type Config, parseConfig } from '../config.js';

/**
 * The settings that bound what reading one document may cost (src/config.ts). A route hands
 * its `deps.config` in; each limit is checked before the work it bounds starts, and passing
 * one is a 413 `payload_too_large` whose message names the setting.
 */
export type IngestLimits = Pick<
  Config,
  'MAX_HTML_DEPTH' | 'MAX_HTML_ELEMENTS' | 'MAX_PDF_PAGES' | 'MAX_EXTRACTED_CHARS'
>;

/** What an HTML page read gives: its main content's text and its title. */
export interface HtmlContent {
  text: string;
  title?: string;
}

/**
 * How a route reads documents: the limits, and where an HTML page or a PDF is read. A Node
 * server reads both on its work thread (src/lib/work-thread.ts): Readability's work grows with
 * elements × depth, pdf.js's with pages, and either holds whatever thread it runs on; without
 * `readHtml` / `readPdf` they run here.
 */
export interface IngestOptions extends IngestLimits {
  readHtml?: (html: string, limits: IngestLimits) => Promise<HtmlContent>;
  /** Reads a PDF elsewhere (a Node server's work thread); here when not given. */
  readPdf?: (bytes: Uint8Array, limits: IngestLimits) => Promise<PdfContent>;
}

/** The defaults of src/config.ts, for a caller that passes no configuration (tests, scripts). */
export function defaultLimits(): IngestLimits {
  const { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS } = parseConfig({});
  return { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS };
}
