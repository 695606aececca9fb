import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { DocumentView } from '../src/documents/queries.js';
import { ErrorBody } from '../src/errors.js';
import { pageOf } from '../src/ingest/pages.js';
import { createTestApp, type TestApp } from './support/app.js';
import {
  ARTICLE_PARAGRAPHS,
  PDF_PAGES,
  makeEmptyPdf,
  makeHtmlPage,
  makePdf,
} from './support/documents.js';

// POST /v1/briefs with PDF, HTML, Markdown and text documents, as raw bodies and as multipart
// uploads, against the offline analyst; fixtures are generated in test/support/documents.ts.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local' });
});
afterAll(async () => {
  await t.close();
});

const postRaw = (body: Uint8Array<ArrayBuffer> | string, type: string, query = '') =>
  t.app.request(`/v1/briefs${query}`, { method: 'POST', headers: { 'content-type': type }, body });

function postForm(parts: Record<string, string | Blob | { blob: Blob; name: string }>, query = '') {
  const form = new FormData();
  for (const [key, value] of Object.entries(parts)) {
    if (typeof value === 'string' || value instanceof Blob) form.append(key, value);
    else form.append(key, value.blob, value.name);
  }
  return t.app.request(`/v1/briefs${query}`, { method: 'POST', body: form });
}

async function documentOf(view: BriefView) {
  const response = await t.app.request(`/v1/documents/${view.document.id}?include=text`);
  expect(response.status).toBe(200);
  return DocumentView.parse(await response.json());
}

/** Every citation of the brief is verified and its offsets point at its quote in the stored text. */
function expectVerifiedCitations(view: BriefView, text: string) {
  const citations = [...view.brief!.keyPoints, ...view.brief!.counterPerspectives].flatMap(
    (item) => item.citations,
  );
  expect(citations.length).toBeGreaterThan(0);
  for (const citation of citations) {
    expect(citation.verified, citation.quote).toBe(true);
    expect(text.slice(citation.start!, citation.end!).toLowerCase().replace(/\s+/g, ' ')).toBe(
      citation.quote.toLowerCase().replace(/\s+/g, ' '),
    );
  }
  return citations;
}

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = ErrorBody.parse(await response.json());
  expect(body.error.code).toBe(code);
  return body.error.message;
}

describe('POST /v1/briefs with documents', () => {
  it('briefs a raw PDF: detected type, page map, page count, citations that name pages', async () => {
    const pdf = await makePdf();
    const response = await postRaw(pdf, 'application/pdf', '?title=Water%20reform');
    expect(response.status).toBe(201);
    const view = BriefView.parse(await response.json());
    expect(view.status).toBe('succeeded');
    expect(view.document.title).toBe('Water reform');

    const doc = await documentOf(view);
    expect(doc.mediaType).toBe('application/pdf');
    expect(doc.pages).toBe(2);
    expect(doc.pageMap).toEqual([
      { page: 1, start: 0 },
      { page: 2, start: doc.text!.indexOf('Farmers in the northern valley') },
    ]);
    const citations = expectVerifiedCitations(view, doc.text!);
    const starts = doc.pageMap!.map((p) => p.start);
    const pages = new Set(citations.map((c) => pageOf(starts, c.start)));
    // The analyst cites both pages of this document; each quote is on the page that has it.
    expect(pages).toEqual(new Set([1, 2]));
    for (const citation of citations) {
      const page = pageOf(starts, citation.start)!;
      expect(PDF_PAGES[page - 1]!.join(' ').toLowerCase()).toContain(
        citation.quote.toLowerCase().slice(0, 20),
      );
    }

    // The same PDF again (raw or uploaded) is the same document: the cached brief.
    const again = await postForm({
      file: { blob: new Blob([pdf], { type: 'application/pdf' }), name: 'water.pdf' },
      title: 'Water reform',
    });
    expect(again.status).toBe(200);
    expect(BriefView.parse(await again.json())).toMatchObject({ id: view.id, cached: true });
  });

  it('briefs an uploaded PDF whose part declares no type, taking the title from its metadata', async () => {
    const pdf = await makePdf(
      [
        ['Page one of the uploaded report says the levy rises by 3 percent.'],
        ['Page two notes that councils were not asked.'],
      ],
      'Levy report',
    );
    const response = await postForm({
      file: { blob: new Blob([pdf]), name: 'scan-0042.bin' },
      prompt: 'brief@1',
    });
    expect(response.status).toBe(201);
    const view = BriefView.parse(await response.json());
    expect(view.document.title).toBe('Levy report');
    expect(view.prompt.ref).toBe('brief@1');
    const doc = await documentOf(view);
    expect(doc).toMatchObject({ mediaType: 'application/pdf', pages: 2 });
    expectVerifiedCitations(view, doc.text!);
  });

  it('briefs a raw HTML page from its article only, titled from the page', async () => {
    const response = await postRaw(makeHtmlPage(), 'text/html; charset=utf-8');
    expect(response.status).toBe(201);
    const view = BriefView.parse(await response.json());
    expect(view.document.title).toMatch(/Rail link plan/);
    const doc = await documentOf(view);
    expect(doc).toMatchObject({ mediaType: 'text/html', pages: null, pageMap: null });
    for (const paragraph of ARTICLE_PARAGRAPHS) expect(doc.text).toContain(paragraph);
    expect(doc.text).not.toMatch(/NAVLINK|SIDEBAR|FOOTERTEXT/);
    expectVerifiedCitations(view, doc.text!);
  });

  it('briefs an uploaded HTML page (type from the part, title from the form), and a whole page sent as text/plain as HTML', async () => {
    const page = makeHtmlPage('A different title | Site');
    const uploaded = await postForm({
      file: { blob: new Blob([page], { type: 'text/html' }), name: 'page.html' },
      title: 'My title',
    });
    expect(uploaded.status).toBe(201);
    const view = BriefView.parse(await uploaded.json());
    expect(view.document.title).toBe('My title');
    expect((await documentOf(view)).mediaType).toBe('text/html');
    expectVerifiedCitations(view, (await documentOf(view)).text!);

    // The same article as a mislabelled raw body: the bytes say HTML, so it is the same document.
    const relabelled = await postRaw(page, 'text/plain');
    expect(relabelled.status).toBe(200);
    expect(BriefView.parse(await relabelled.json()).document.id).toBe(view.document.id);
  });

  it('briefs uploaded Markdown and a pasted text field like the raw and JSON paths', async () => {
    const markdown =
      '# Transit levy\n\nThe Council said the levy will fund 40 new buses by 2028.\n\nDrivers were not consulted.';
    const md = await postForm(
      { file: { blob: new Blob([markdown], { type: 'text/markdown' }), name: 'levy.md' } },
      '?title=Levy',
    );
    expect(md.status).toBe(201);
    const mdView = BriefView.parse(await md.json());
    expect(mdView.document.title).toBe('Levy');
    const mdDoc = await documentOf(mdView);
    expect(mdDoc).toMatchObject({ mediaType: 'text/markdown', pages: null, text: markdown });
    expectVerifiedCitations(mdView, mdDoc.text!);

    // A .md file uploaded with no type: the extension names it.
    const noType = await postForm({
      file: { blob: new Blob([`${markdown}\n\nSecond edition.`]), name: 'levy-2.md' },
    });
    expect(noType.status).toBe(201);
    expect((await documentOf(BriefView.parse(await noType.json()))).mediaType).toBe(
      'text/markdown',
    );

    const text =
      'The Treasury said the tax cut pays for itself. Economists disagree with the estimate.';
    const pasted = await postForm({ text, title: 'Tax cut' });
    expect(pasted.status).toBe(201);
    const pastedView = BriefView.parse(await pasted.json());
    const viaJson = await t.postJson({ text, title: 'Tax cut' });
    expect(viaJson.status).toBe(200);
    expect(BriefView.parse(await viaJson.json()).id).toBe(pastedView.id);
  });

  it('gives a document its page map when the PDF arrives after its pasted text, also from the brief cache', async () => {
    const pdf = await makePdf(
      [
        ['The Port Authority said the new quay opens in June.'],
        ['Fishing crews were not consulted about the quay.'],
      ],
      'Quay report',
    );
    // The PDF's text as a user would paste it (the text another app extracted from it).
    const other = await createTestApp({ LLM_PROVIDER: 'local' });
    const extracted = BriefView.parse(
      await (
        await other.app.request('/v1/briefs', {
          method: 'POST',
          headers: { 'content-type': 'application/pdf' },
          body: pdf,
        })
      ).json(),
    );
    const text = DocumentView.parse(
      await (await other.app.request(`/v1/documents/${extracted.document.id}?include=text`)).json(),
    ).text!;
    await other.close();

    const pasted = BriefView.parse(await (await t.postJson({ text })).json());
    expect(await documentOf(pasted)).toMatchObject({
      mediaType: 'text/plain',
      pageMap: null,
      title: null,
    });
    const read = async () =>
      BriefView.parse(await (await t.app.request(`/v1/briefs/${pasted.id}`)).json());
    expect((await read()).document.title).toBeNull(); // and now kept in memory as succeeded
    const uploaded = await postRaw(pdf, 'application/pdf');
    expect(uploaded.status).toBe(200); // the same text, prompt and provider: the cached brief
    expect(BriefView.parse(await uploaded.json()).id).toBe(pasted.id);
    const document = await documentOf(pasted);
    expect(document).toMatchObject({
      id: pasted.document.id,
      mediaType: 'application/pdf',
      pages: 2,
      title: 'Quay report',
    });
    expect(document.pageMap!.map((page) => page.page)).toEqual([1, 2]);
    expect((await read()).document.title).toBe('Quay report'); // the kept view was dropped
  });

  it('reads a page in the charset its Content-Type or its <meta> names', async () => {
    const latin1 = (text: string) => new Uint8Array([...text].map((char) => char.charCodeAt(0)));
    const page = (meta: string) =>
      `<html><head>${meta}<title>Caf\u00e9 tax</title></head><body><article><p>The Minist\u00e8re said the caf\u00e9 tax will raise 3 million. Owners were not asked.</p></article></body></html>`;
    const declared = await postRaw(latin1(page('')), 'text/html; charset=ISO-8859-1');
    expect(declared.status).toBe(201);
    expect(BriefView.parse(await declared.json()).document.title).toBe('Café tax');
    const meta = await postRaw(
      latin1(page('<meta charset="windows-1252">').replace('3 million', '4 million')),
      'text/html',
    );
    expect(meta.status).toBe(201);
    const view = BriefView.parse(await meta.json());
    expect((await documentOf(view)).text).toContain(
      'The Ministère said the café tax will raise 4 million.',
    );
    // Markdown that quotes a <meta> is not an HTML page: it stays UTF-8.
    const markdown = new TextEncoder().encode(
      'How to write `<meta charset="windows-1252">` in a café page. The Ministère said so.',
    );
    const quoted = BriefView.parse(await (await postRaw(markdown, 'text/markdown')).json());
    expect((await documentOf(quoted)).text).toContain('in a café page. The Ministère said so.');
    // Undeclared and not UTF-8: refused, not guessed at.
    await expectRefused(
      await postRaw(latin1(page('').replace('3 million', '5 million')), 'text/html'),
      400,
      'invalid_request',
    );
    await expectRefused(
      await postRaw(latin1(page('')), 'text/html; charset=klingon'),
      415,
      'unsupported_media_type',
    );
  });

  it('refuses unsupported and contradicted types with 415, and unreadable PDFs with 400, writing nothing', async () => {
    const before = t.rows();
    const pdf = await makePdf();
    const refusals: [string, () => Response | Promise<Response>, number, string, RegExp?][] = [
      [
        'a PDF labelled text/plain',
        () => postRaw(pdf, 'text/plain'),
        415,
        'unsupported_media_type',
        /it is a PDF/,
      ],
      [
        'a PDF labelled text/html',
        () => postRaw(pdf, 'text/html'),
        415,
        'unsupported_media_type',
        /it is a PDF/,
      ],
      [
        'text labelled application/pdf',
        () => postRaw('Just some words.', 'application/pdf'),
        415,
        'unsupported_media_type',
        /not a PDF/,
      ],
      [
        'an image',
        () => postRaw(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), 'image/png'),
        415,
        'unsupported_media_type',
      ],
      [
        'a zip uploaded as octet-stream',
        () =>
          postForm({
            file: {
              blob: new Blob([new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0xff, 0x00])], {
                type: 'application/octet-stream',
              }),
              name: 'x.zip',
            },
          }),
        415,
        'unsupported_media_type',
      ],
      [
        'an uploaded image part',
        () =>
          postForm({ file: { blob: new Blob(['GIF89a'], { type: 'image/gif' }), name: 'x.gif' } }),
        415,
        'unsupported_media_type',
      ],
      [
        'a PDF part labelled text/markdown',
        () =>
          postForm({ file: { blob: new Blob([pdf], { type: 'text/markdown' }), name: 'x.md' } }),
        415,
        'unsupported_media_type',
      ],
      [
        'a url-encoded form',
        () => postRaw('text=hello', 'application/x-www-form-urlencoded'),
        415,
        'unsupported_media_type',
      ],
      [
        'an empty PDF',
        async () => postRaw(await makeEmptyPdf(), 'application/pdf'),
        400,
        'invalid_request',
        /no extractable text/,
      ],
      [
        'an empty uploaded PDF',
        async () =>
          postForm({
            file: {
              blob: new Blob([await makeEmptyPdf(1)], { type: 'application/pdf' }),
              name: 'scan.pdf',
            },
          }),
        400,
        'invalid_request',
        /no extractable text/,
      ],
      [
        'a broken PDF',
        () => postRaw('%PDF-1.7\nnot really', 'application/pdf'),
        400,
        'invalid_request',
        /could not be read/,
      ],
      [
        'a form without a file',
        () => postForm({ title: 'x' }),
        400,
        'invalid_request',
        /choose a file \(a "file" part or a "text" field\)/,
      ],
      [
        'a form with an unknown field',
        () => postForm({ text: 'words', colour: 'red' }),
        400,
        'invalid_request',
        /Unknown form field "colour"/,
      ],
      [
        'a form with both file and text',
        () =>
          postForm({
            text: 'words',
            file: { blob: new Blob(['words'], { type: 'text/plain' }), name: 'a.txt' },
          }),
        400,
        'invalid_request',
      ],
      [
        'a form with a too-long title',
        () => postForm({ text: 'words', title: 'x'.repeat(501) }),
        400,
        'invalid_request',
      ],
      [
        'an HTML page with no text',
        () =>
          postRaw(
            '<!doctype html><html><head><title>T</title><script>var a = 1;</script></head><body> </body></html>',
            'text/html',
          ),
        400,
        'invalid_request',
        /no readable text/,
      ],
      [
        'broken multipart',
        () => postRaw('--nope\r\n', 'multipart/form-data; boundary=xyz'),
        400,
        'invalid_request',
      ],
    ];
    for (const [what, send, status, code, message] of refusals) {
      const text = await expectRefused(await send(), status, code).catch((error: unknown) => {
        throw new Error(`${what}: ${String(error)}`);
      });
      if (message) expect(text, what).toMatch(message);
    }
    expect(t.rows()).toEqual(before);
  });

  it('answers 413 for an upload over MAX_DOCUMENT_BYTES', async () => {
    const small = await createTestApp({ LLM_PROVIDER: 'local', MAX_DOCUMENT_BYTES: '2000' });
    try {
      const form = new FormData();
      form.append('file', new Blob(['word '.repeat(1000)], { type: 'text/plain' }), 'big.txt');
      const response = await small.app.request('/v1/briefs', { method: 'POST', body: form });
      await expectRefused(response, 413, 'payload_too_large');
      expect(small.rows().documents).toBe(0);
    } finally {
      await small.close();
    }
  });
});
