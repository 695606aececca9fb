import { AppError } from '../errors.js';
import { yieldToEventLoop } from '../lib/wait.js';
import type { IngestLimits } from './limits.js';
import { joinPages, type PageMap } from './pages.js';

/** What a PDF read gives: its text, where each page starts in it, and its title if it has one. */
export interface PdfContent {
  text: string;
  pageMap: PageMap;
  title?: string;
}

/**
 * PDF text through unpdf (pdf.js, its serverless build: no canvas, no worker thread, no Node
 * APIs), loaded on first use so that a process that never sees a PDF never parses pdf.js.
 * Text is per page, lines as pdf.js groups them (as unpdf's extractText joins them); a PDF of
 * scanned images has none (400).
 *
 * What one PDF may cost is bounded before the work starts: the page count is read first and a
 * PDF past MAX_PDF_PAGES is refused; text is counted as it streams out of pdf.js and extraction
 * stops, refused, once it passes MAX_EXTRACTED_CHARS (pages may share one content stream, so a
 * small file can hold a great deal of text). pdf.js runs on this thread: pages are read one at
 * a time, and the event loop gets a turn between pages and between the pieces of a page's text,
 * so other requests are served meanwhile.
 */
export async function extractPdf(
  bytes: Uint8Array,
  limits: Pick<IngestLimits, 'MAX_PDF_PAGES' | 'MAX_EXTRACTED_CHARS'>,
): Promise<PdfContent> {
  const { getDocumentProxy } = await import('unpdf');
  const pages: string[] = [];
  let title: string | undefined;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      if (pdf.numPages > limits.MAX_PDF_PAGES)
        throw new AppError(
          'payload_too_large',
          `The PDF has ${pdf.numPages} pages, more than ${limits.MAX_PDF_PAGES} (MAX_PDF_PAGES): send fewer pages`,
          { limit: 'MAX_PDF_PAGES', max: limits.MAX_PDF_PAGES, pages: pdf.numPages },
        );
      let characters = 0;
      for (let number = 1; number <= pdf.numPages; number++) {
        await yieldToEventLoop();
        const page = await pdf.getPage(number);
        const reader = page.streamTextContent().getReader() as ReadableStreamDefaultReader<{
          items: { str?: string; hasEOL?: boolean }[];
        }>;
        const parts: string[] = [];
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const item of value.items) {
              if (item.str == null) continue; // marked content, not text
              const part = item.hasEOL ? `${item.str}\n` : item.str;
              parts.push(part);
              characters += part.length;
            }
            if (characters > limits.MAX_EXTRACTED_CHARS) {
              // No reader.cancel(): pdf.js (unpdf 1.x, no worker) goes on delivering a cancelled
              // stream's text into its closed controller, an uncaught exception that ends the
              // process. pdf.destroy() below ends the page's work instead.
              throw new AppError(
                'payload_too_large',
                `The PDF holds more than ${limits.MAX_EXTRACTED_CHARS} characters of text (MAX_EXTRACTED_CHARS; passed on page ${number} of ${pdf.numPages}): send a shorter document`,
                { limit: 'MAX_EXTRACTED_CHARS', max: limits.MAX_EXTRACTED_CHARS, page: number },
              );
            }
            await yieldToEventLoop();
          }
        } finally {
          reader.releaseLock();
          page.cleanup();
        }
        pages.push(parts.join(''));
      }
      const info = (await pdf.getMetadata().catch(() => undefined))?.info as
        | { Title?: unknown }
        | undefined;
      if (typeof info?.Title === 'string' && info.Title.trim()) title = info.Title.trim();
    } finally {
      await pdf.destroy().catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const encrypted = /password/i.test(reason);
    throw new AppError(
      'invalid_request',
      encrypted
        ? 'The PDF is password-protected: send an unprotected copy'
        : `The PDF could not be read: ${reason.slice(0, 200)}`,
    );
  }
  const { text, pageMap } = joinPages(pages);
  if (text.length === 0) {
    throw new AppError(
      'invalid_request',
      `The PDF has no extractable text (${pages.length} page${pages.length === 1 ? '' : 's'}, no text layer): it may be scanned images; run OCR first`,
    );
  }
  return { text, pageMap, ...(title ? { title } : {}) };
}
