import { describe, expect, it } from 'vitest';
import { detect, isPdf, looksLikeHtml, typeFromFileName } from '../src/ingest/detect.js';
import { extractHtml } from '../src/ingest/html.js';
import { ingest } from '../src/ingest/index.js';
import { joinPages, pageOf } from '../src/ingest/pages.js';
import { AppError } from '../src/errors.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import {
  ARTICLE_PARAGRAPHS,
  PDF_PAGES,
  makeEmptyPdf,
  makeHtmlPage,
  makePdf,
} from './support/documents.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

async function refusal(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('detect', () => {
  it('finds the PDF magic in the first 1024 bytes only', async () => {
    expect(isPdf(await makePdf())).toBe(true);
    expect(isPdf(utf8('junk\n%PDF-1.7\n'))).toBe(true);
    expect(isPdf(utf8(`${' '.repeat(1100)}%PDF-1.7`))).toBe(false);
    expect(isPdf(utf8('plain text about %PDF'))).toBe(false);
  });

  it('recognises HTML by its leading markup, past a BOM, whitespace and comments', () => {
    expect(looksLikeHtml('<!DOCTYPE html><html></html>')).toBe(true);
    expect(looksLikeHtml('\uFEFF  <!-- generated -->\n<html lang="en">')).toBe(true);
    expect(looksLikeHtml('<p>a fragment</p>')).toBe(true);
    expect(looksLikeHtml('# A heading\n\n<p>inline html in markdown</p>')).toBe(false);
    expect(looksLikeHtml('<pre>x</pre>')).toBe(false); // not a WHATWG marker
  });

  it('lets the bytes decide, refusing cross-family contradictions and correcting within text', async () => {
    const pdf = await makePdf();
    const page = makeHtmlPage();
    expect(detect('application/pdf', pdf, undefined)).toEqual({ ok: true, kind: 'pdf' });
    expect(detect('application/octet-stream', pdf, undefined)).toEqual({ ok: true, kind: 'pdf' });
    expect(detect('text/plain', pdf, undefined)).toMatchObject({
      ok: false,
      message: expect.stringContaining('it is a PDF'),
    });
    expect(detect('text/html', pdf, undefined)).toMatchObject({ ok: false });
    expect(detect('application/pdf', utf8('hello'), 'hello')).toMatchObject({
      ok: false,
      message: expect.stringContaining('not a PDF'),
    });
    // A whole page labelled text is read as HTML; a fragment in Markdown stays Markdown.
    expect(detect('text/plain', utf8(page), page)).toEqual({ ok: true, kind: 'html' });
    expect(detect('text/markdown', utf8('<p>hi</p>'), '<p>hi</p>')).toEqual({
      ok: true,
      kind: 'text',
      mediaType: 'text/markdown',
    });
    expect(detect('text/html', utf8('just words'), 'just words')).toEqual({
      ok: true,
      kind: 'html',
    });
    expect(detect('application/octet-stream', utf8('<p>hi</p>'), '<p>hi</p>')).toEqual({
      ok: true,
      kind: 'html',
    });
    expect(detect('application/octet-stream', utf8('words'), 'words')).toEqual({
      ok: true,
      kind: 'text',
      mediaType: 'text/plain',
    });
    expect(detect('image/png', utf8('words'), 'words')).toMatchObject({ ok: false });
  });

  it('maps file extensions for uploads that declare no type', () => {
    expect(typeFromFileName('Report.PDF')).toBe('application/pdf');
    expect(typeFromFileName('notes.md')).toBe('text/markdown');
    expect(typeFromFileName('page.htm')).toBe('text/html');
    expect(typeFromFileName('archive.zip')).toBeUndefined();
    expect(typeFromFileName(undefined)).toBeUndefined();
  });
});

describe('page maps', () => {
  it('joins normalized pages with a blank line and records where each starts; blank pages start where the next does', () => {
    const { text, pageMap } = joinPages(['  First   page.\r\nLine two. ', '', 'Third\u00A0page.']);
    expect(text).toBe('First page.\nLine two.\n\nThird page.');
    expect(pageMap).toEqual([0, 23, 23]);
    expect(normalizeText(text)).toBe(text); // offsets hold in the text the document id hashes
    expect(text.slice(pageMap[2]!)).toBe('Third page.');
  });

  it('pageOf names the page an offset is on', () => {
    const map = [0, 23, 23, 40];
    expect(pageOf(map, 0)).toBe(1);
    expect(pageOf(map, 22)).toBe(1); // the blank line between pages belongs to the page before
    expect(pageOf(map, 23)).toBe(3); // page 2 is empty: the offset is on page 3
    expect(pageOf(map, 39)).toBe(3);
    expect(pageOf(map, 40)).toBe(4);
    expect(pageOf(map, 10_000)).toBe(4);
    expect(pageOf(null, 5)).toBeNull();
    expect(pageOf(map, null)).toBeNull();
  });
});

describe('ingest', () => {
  it('reads a two-page PDF with its page map and metadata title', async () => {
    const doc = await ingest(await makePdf(PDF_PAGES, 'Water reform'), 'application/pdf');
    expect(doc.mediaType).toBe('application/pdf');
    expect(doc.title).toBe('Water reform');
    expect(doc.pageMap).toHaveLength(2);
    expect(doc.pageMap![0]).toBe(0);
    expect(normalizeText(doc.text)).toBe(doc.text);
    for (const [i, lines] of PDF_PAGES.entries()) {
      for (const line of lines) {
        const at = doc.text.indexOf(line);
        expect(at, line).toBeGreaterThanOrEqual(0);
        expect(pageOf(doc.pageMap, at)).toBe(i + 1);
      }
    }
    expect(doc.text.slice(doc.pageMap![1]!)).toMatch(/^Farmers in the northern valley/);
  });

  it('refuses a PDF without a text layer (400) and bytes that only claim to be a PDF (400 / 415)', async () => {
    const empty = await refusal(ingest(await makeEmptyPdf(), 'application/pdf'));
    expect(empty.code).toBe('invalid_request');
    expect(empty.message).toMatch(/no extractable text/);
    const broken = await refusal(
      ingest(utf8('%PDF-1.7\nthis is not really a pdf'), 'application/pdf'),
    );
    expect(broken.code).toBe('invalid_request');
    expect(broken.message).toMatch(/could not be read/);
    const notPdf = await refusal(ingest(utf8('hello'), 'application/pdf'));
    expect(notPdf.code).toBe('unsupported_media_type');
  });

  it('reads the main content of an HTML page, without its boilerplate, with the page title', async () => {
    const doc = await ingest(utf8(makeHtmlPage()), 'text/html');
    expect(doc.mediaType).toBe('text/html');
    expect(doc.title).toMatch(/Rail link plan/);
    for (const paragraph of ARTICLE_PARAGRAPHS) expect(doc.text).toContain(paragraph);
    expect(doc.text).not.toMatch(/NAVLINK|SIDEBAR|FOOTERTEXT|analytics|font-family/);
    // Paragraphs stay paragraphs (what the chunker cuts on).
    expect(doc.text).toContain(`${ARTICLE_PARAGRAPHS[0]}\n\n${ARTICLE_PARAGRAPHS[1]}`);
    expect(doc.pageMap).toBeUndefined();
  });

  it('reads an HTML fragment, and falls back to the body when there is no article', () => {
    expect(extractHtml('<p>One short line.</p>').text.trim()).toBe('One short line.');
    const list = extractHtml(
      '<html><head><title>T</title></head><body><nav>Menu</nav><ul><li>alpha</li><li>beta</li></ul></body></html>',
    );
    expect(list.text).toMatch(/alpha[\s\S]*beta/);
    expect(list.title).toBe('T');
  });

  it('takes plain text and Markdown as they are, and refuses what it does not read', async () => {
    expect(await ingest(utf8('# Title\n\nBody'), 'text/markdown')).toEqual({
      text: '# Title\n\nBody',
      mediaType: 'text/markdown',
    });
    expect(await ingest(utf8('Body'), 'application/octet-stream')).toEqual({
      text: 'Body',
      mediaType: 'text/plain',
    });
    expect((await refusal(ingest(utf8('x'), 'image/png'))).code).toBe('unsupported_media_type');
    expect(
      (
        await refusal(
          ingest(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0xfe]), 'application/octet-stream'),
        )
      ).code,
    ).toBe('unsupported_media_type');
    // Declared text that is not UTF-8 stays a bad body, as before.
    expect((await refusal(ingest(new Uint8Array([0x41, 0xff]), 'text/plain'))).code).toBe(
      'invalid_request',
    );
    expect((await refusal(ingest(await makePdf(), 'text/plain'))).code).toBe(
      'unsupported_media_type',
    );
  });

  it('decodes a long body a slice at a time, with characters and errors across slice boundaries', async () => {
    // Slices are 512 KiB: put a 3-byte and a 4-byte character across the first boundary.
    const slice = 512 * 1024;
    const text = `${'a'.repeat(slice - 1)}€${'b'.repeat(slice - 2)}😀 end`;
    const bytes = utf8(text);
    expect(bytes[slice - 1]).toBe(0xe2); // the boundary falls inside '€'
    expect((await ingest(bytes, 'text/plain')).text).toBe(text);
    // A truncated character at the very end, and a NUL in a later slice, are still refused.
    expect((await refusal(ingest(bytes.subarray(0, bytes.length - 6), 'text/plain'))).code).toBe(
      'invalid_request',
    );
    const withNul = utf8(`${'a'.repeat(slice * 2)}\u0000`);
    expect((await refusal(ingest(withNul, 'text/plain'))).message).toMatch(/binary data/);
    // A UTF-16 body with a byte-order mark decodes across slices too.
    const utf16 = new Uint8Array(2 + 2 * (slice + 1));
    utf16.set([0xff, 0xfe]);
    for (let i = 0; i <= slice; i++) utf16[2 + 2 * i] = 0x61;
    expect((await ingest(utf16, 'text/plain')).text).toBe('a'.repeat(slice + 1));
  });
});
