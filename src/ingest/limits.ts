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
 * How a route reads documents: the limits, and where an HTML page is read. A Node server reads
 * HTML on its work thread (src/lib/work-thread.ts): Readability's work grows with elements ×
 * depth and holds whatever thread it runs on; without `readHtml` it runs here.
 */
export interface IngestOptions extends IngestLimits {
  readHtml?: (html: string, limits: IngestLimits) => Promise<HtmlContent>;
}

/** The defaults of src/config.ts, for a caller that passes no configuration (tests, scripts). */
export function defaultLimits(): IngestLimits {
  const { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS } = parseConfig({});
  return { MAX_HTML_DEPTH, MAX_HTML_ELEMENTS, MAX_PDF_PAGES, MAX_EXTRACTED_CHARS };
}

/**
 * Lets the event loop serve pending I/O (another request, a health check) before the next
 * slice of work: `setImmediate` on Node; a zero timeout where there is none (Workers).
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
