import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../src/errors.js';
import { scanHtml } from '../src/ingest/html-scan.js';
import { createTestApp, type TestApp } from './support/app.js';
import { LINE, makeHtmlPage, sharedStreamPdf } from './support/documents.js';
import { useServerProcess } from './support/server-process.js';

// Issue 17: what reading one document may cost is bounded by configuration and checked before
// the work starts. HTML past MAX_HTML_DEPTH or MAX_HTML_ELEMENTS, a PDF past MAX_PDF_PAGES or
// MAX_EXTRACTED_CHARS: 413 payload_too_large naming the setting, and nothing stored. The caps
// are sized down here so the documents stay small.

const LIMITS = {
  MAX_HTML_DEPTH: '20',
  MAX_HTML_ELEMENTS: '300',
  MAX_PDF_PAGES: '20',
  MAX_EXTRACTED_CHARS: '20000',
};

const page = (body: string) =>
  `<!doctype html><html><head><title>Limits</title></head><body>${body}</body></html>`;

interface Oversized {
  name: string;
  setting: string;
  type: string;
  file: string;
  body: () => Promise<Uint8Array<ArrayBuffer> | string>;
}

const OVERSIZED: Oversized[] = [
  {
    name: 'HTML nested deeper than MAX_HTML_DEPTH',
    setting: 'MAX_HTML_DEPTH',
    type: 'text/html',
    file: 'deep.html',
    body: async () => page(`${'<div>'.repeat(40)}<p>Deep text.</p>${'</div>'.repeat(40)}`),
  },
  {
    name: 'HTML with more elements than MAX_HTML_ELEMENTS',
    setting: 'MAX_HTML_ELEMENTS',
    type: 'text/html',
    file: 'wide.html',
    body: async () => page(Array.from({ length: 400 }, (_, i) => `<p>${i}. ${LINE}</p>`).join('')),
  },
  {
    name: 'a PDF with more pages than MAX_PDF_PAGES (30 pages sharing one content stream)',
    setting: 'MAX_PDF_PAGES',
    type: 'application/pdf',
    file: 'pages.pdf',
    body: () => sharedStreamPdf(30, 5),
  },
  {
    name: 'a PDF with more text than MAX_EXTRACTED_CHARS (10 pages of one 40-line stream)',
    setting: 'MAX_EXTRACTED_CHARS',
    type: 'application/pdf',
    file: 'chars.pdf',
    body: () => sharedStreamPdf(10, 40),
  },
];

async function expectRefused(response: Response, setting: string) {
  const body = await response.json();
  expect(response.status, JSON.stringify(body)).toBe(413);
  const { error } = ErrorBody.parse(body);
  expect(error.code).toBe('payload_too_large');
  expect(error.message).toContain(setting);
  return error;
}

describe('ingest limits (sized down by configuration)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local', ...LIMITS });
  });
  afterAll(async () => {
    await t.close();
  });

  const nothingStored = { documents: 0, briefs: 0, llmCalls: 0 };

  for (const oversized of OVERSIZED) {
    describe(oversized.name, () => {
      it('POST /v1/briefs with a raw body: 413, nothing stored', async () => {
        const response = await t.app.request('/v1/briefs', {
          method: 'POST',
          headers: { 'content-type': oversized.type },
          body: await oversized.body(),
        });
        await expectRefused(response, oversized.setting);
        expect(t.rows()).toEqual(nothingStored);
      });

      it('POST /v1/briefs as a multipart upload: 413, nothing stored', async () => {
        const form = new FormData();
        form.append(
          'file',
          new Blob([await oversized.body()], { type: oversized.type }),
          oversized.file,
        );
        const response = await t.app.request('/v1/briefs', { method: 'POST', body: form });
        await expectRefused(response, oversized.setting);
        expect(t.rows()).toEqual(nothingStored);
      });

      it('POST /v1/documents with a raw body: 413, nothing stored', async () => {
        const response = await t.app.request('/v1/documents', {
          method: 'POST',
          headers: { 'content-type': oversized.type },
          body: await oversized.body(),
        });
        await expectRefused(response, oversized.setting);
        expect(t.rows()).toEqual(nothingStored);
      });
    });
  }

  it('the web form refuses with the same limits (413, nothing stored)', async () => {
    const form = new FormData();
    form.append('file', new Blob([await OVERSIZED[0]!.body()], { type: 'text/html' }), 'deep.html');
    const response = await t.app.request('/briefs', { method: 'POST', body: form });
    expect(response.status).toBe(413);
    expect(await response.text()).toContain('MAX_HTML_DEPTH');
    expect(t.rows()).toEqual(nothingStored);
  });

  it('says which page passed MAX_EXTRACTED_CHARS, having read no further', async () => {
    const response = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: await sharedStreamPdf(10, 40),
    });
    const error = await expectRefused(response, 'MAX_EXTRACTED_CHARS');
    // 40 lines of ~90 characters a page: 20,000 is passed on page 6 of 10.
    expect(error.details).toMatchObject({ limit: 'MAX_EXTRACTED_CHARS', max: 20_000, page: 6 });
  });

  it('accepts documents within the limits', async () => {
    const pdf = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: await sharedStreamPdf(20, 10),
    });
    expect(pdf.status).toBe(201);
    const html = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'text/html' },
      body: makeHtmlPage(),
    });
    expect(html.status).toBe(201);
    expect(t.rows().documents).toBe(2);
  });
});

describe('the issue 17 inputs, at the default limits', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('100,000 nested divs (1.1 MB) are refused in well under 2 s, not a 500 after minutes', async () => {
    const html = `${'<div>'.repeat(100_000)}x${'</div>'.repeat(100_000)}`;
    const started = performance.now();
    const response = await t.app.request('/v1/briefs', {
      method: 'POST',
      headers: { 'content-type': 'text/html' },
      body: html,
    });
    const elapsed = performance.now() - started;
    await expectRefused(response, 'MAX_HTML_DEPTH');
    expect(elapsed).toBeLessThan(2_000);
    expect(t.rows()).toEqual({ documents: 0, briefs: 0, llmCalls: 0 });
  });

  it('a 1,000-page PDF sharing one content stream is refused on its page count', async () => {
    const started = performance.now();
    const response = await t.app.request('/v1/briefs', {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: await sharedStreamPdf(1_000, 50),
    });
    await expectRefused(response, 'MAX_PDF_PAGES');
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(t.rows()).toEqual({ documents: 0, briefs: 0, llmCalls: 0 });
  });
});

describe('the HTML pre-scan', () => {
  /** Elements and deepest nesting of the DOM linkedom builds (what the scan must foresee). */
  function domShape(html: string): { elements: number; depth: number } {
    const { document } = parseHTML(html);
    let elements = 0;
    let depth = 0;
    const work: [Node, number][] = Array.from(document.childNodes as unknown as Node[]).map(
      (node) => [node, 1],
    );
    while (work.length > 0) {
      const [node, level] = work.pop()!;
      if (node.nodeType !== 1) continue;
      elements++;
      depth = Math.max(depth, level);
      for (const child of Array.from(node.childNodes)) work.push([child, level + 1]);
    }
    return { elements, depth };
  }

  const unlimited = { depth: Number.MAX_SAFE_INTEGER, nodes: Number.MAX_SAFE_INTEGER };

  it('nests as the parser does: void elements, implied ends, raw text, SVG self-closing', () => {
    const cases: [string, number][] = [
      ['<div><div><p>x</div></div>', 3],
      ['<p>a<p>b<p>c', 1], // a <p> closes the open one
      ['<ul><li>a<li>b<li>c</ul>', 2],
      ['<div><br><img src=x><input></div>', 2], // void elements hold nothing
      ['<div/><div/><div/>', 3], // `/>` is ignored in HTML
      ['<svg><path/><path/><g><path/></g></svg>', 3], // but honoured in SVG
      ['<script>"<div><div><div>"</script><p>x</p>', 1], // script content is text
      ['<div title="a > b <div>"><p>x</p></div>', 2], // a quoted `>` does not end the tag
      ['<!-- <div><div> --><p>x</p>', 1],
      ['<div><span></div><p>x</p>', 2], // </div> closes the span too
      ['<b></i></i></i><i>x</i></b>', 2], // unmatched end tags are ignored
    ];
    for (const [html, depth] of cases) {
      expect(scanHtml(html, unlimited).depth, html).toBe(depth);
      expect(domShape(html).depth, html).toBe(depth);
    }
  });

  it('agrees with linkedom on random tag soup', () => {
    const pieces = [
      '<div>',
      '</div>',
      '<p>',
      '</p>',
      '<li>',
      '<ul>',
      '</ul>',
      '<br>',
      '</br>',
      '<svg>',
      '</svg>',
      '<path/>',
      '<div/>',
      '<td>',
      '<tr>',
      '<table>',
      '</table>',
      '<script>',
      '</script>',
      '<style>',
      '</style >',
      'text',
      '<a href="x>y">',
      '</a>',
      "<b class='q'>",
      '</b>',
      '<img src=x/>',
      '<title>',
      '</title>',
      '<math>',
      '<mi>',
      '</mi>',
      '</math>',
      '<option>',
      '<select>',
      '< x',
      '<h1>',
      '</h2>',
      '<input>',
      '<foreignObject>',
      '</foreignObject>',
      '<textarea>',
      '</textarea>',
      '<dd>',
      '<DIV>',
      '</Div>',
      '<a b = "c" d=e f>',
      '>',
    ];
    let seed = 17;
    const random = () => {
      // mulberry32: the same soup on every run
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
    };
    for (let i = 0; i < 2_000; i++) {
      let html = '';
      const length = 1 + Math.floor(random() * 40);
      for (let j = 0; j < length; j++) html += pieces[Math.floor(random() * pieces.length)];
      const dom = domShape(html);
      const scan = scanHtml(html, unlimited);
      expect(scan.depth, html).toBe(dom.depth);
      expect(scan.nodes, html).toBe(dom.elements);
    }
  });

  it('stops at the first node past a limit, in time linear in the markup', () => {
    const deep = '<div>'.repeat(1_000_000);
    const started = performance.now();
    expect(scanHtml(deep, { depth: 200, nodes: 20_000 })).toEqual({
      nodes: 201,
      depth: 201,
      over: 'depth',
    });
    // Character references and comments build nodes too.
    expect(scanHtml('&amp;'.repeat(500), { depth: 10, nodes: 300 }).over).toBe('nodes');
    expect(scanHtml('<!---->'.repeat(500), { depth: 10, nodes: 300 }).over).toBe('nodes');
    // 8 MB of `<` that opens nothing, the scanner's slowest input, still goes in one pass.
    expect(scanHtml('<'.repeat(8_000_000), { depth: 10, nodes: 300 })).toEqual({
      nodes: 0,
      depth: 0,
    });
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});

describe('a real server stays responsive while it reads a large PDF', () => {
  // The default limits: the PDF below is large but accepted.
  const ctx = useServerProcess();

  it('answers GET /healthz within 100 ms while a 400-page PDF is read', async () => {
    const pdf = await sharedStreamPdf(400, 45); // ~1.6 M characters, under MAX_EXTRACTED_CHARS
    // pdf.js is loaded on first use: load it before measuring, as a server that has seen a PDF has.
    await fetch(`${ctx.server.url}/v1/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: await sharedStreamPdf(1, 5),
    });
    let done = false;
    const upload = fetch(`${ctx.server.url}/v1/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: pdf,
    })
      .then((response) => response.status)
      .finally(() => {
        done = true;
      });
    const latencies: number[] = [];
    while (!done) {
      const started = performance.now();
      const response = await fetch(`${ctx.server.url}/healthz`);
      await response.arrayBuffer();
      if (!done) latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await upload).toBe(201);
    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.ceil(latencies.length * 0.95) - 1]!;
    const summary = `${latencies.length} samples, median ${Math.round(latencies[latencies.length >> 1]!)} ms, p95 ${Math.round(p95)} ms, max ${Math.round(latencies.at(-1)!)} ms`;
    expect(latencies.length, summary).toBeGreaterThan(10);
    // Other test files share these 2 cores, so one sample may be late for reasons of its own;
    // the 95th percentile is the figure that says the loop was free.
    expect(p95, summary).toBeLessThan(100);
    console.info(`/healthz during a 400-page PDF: ${summary}`);
  }, 120_000);
});
