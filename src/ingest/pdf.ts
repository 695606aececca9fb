import { AppError } from '../errors.js';
import { joinPages, type PageMap } from './pages.js';

/**
 * PDF text through unpdf (pdf.js, its serverless build: no canvas, no worker thread, no Node
 * APIs), loaded on first use so that a process that never sees a PDF never parses pdf.js.
 * Text is per page, lines as pdf.js groups them; a PDF of scanned images has none (400).
 */
export async function extractPdf(
  bytes: Uint8Array,
): Promise<{ text: string; pageMap: PageMap; title?: string }> {
  const { getDocumentProxy, extractText } = await import('unpdf');
  let pages: string[];
  let title: string | undefined;
  try {
    // pdf.js takes ownership of (detaches) the buffer it is given: hand it a copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes), { verbosity: 0 });
    try {
      const extracted = await extractText(pdf, { mergePages: false });
      pages = extracted.text;
      const info = (await pdf.getMetadata().catch(() => undefined))?.info as
        | { Title?: unknown }
        | undefined;
      if (typeof info?.Title === 'string' && info.Title.trim()) title = info.Title.trim();
    } finally {
      await pdf.destroy().catch(() => undefined);
    }
  } catch (error) {
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
