import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { AppError } from '../errors.js';
import { scanHtml } from './html-scan.js';
import { defaultLimits, type IngestLimits } from './limits.js';

/**
 * An HTML page's main content as text: Readability (Firefox Reader View's algorithm) over a
 * linkedom DOM — both pure JavaScript, so this runs on Node and on Workers. Navigation,
 * headers, footers, sidebars and scripts are left out; block elements (paragraphs, headings,
 * list items, table rows…) become paragraphs, so the chunker can cut on them. When
 * Readability finds no article (a fragment, a bare list), the body is read instead, without
 * scripts, styles and the obvious boilerplate landmarks.
 *
 * Parsing and Readability run in one synchronous stretch, and their cost grows with the
 * number of elements times their nesting (Readability measures each candidate container's
 * whole subtree), so the markup is scanned first (src/ingest/html-scan.ts, linear) and a page
 * past MAX_HTML_DEPTH or MAX_HTML_ELEMENTS is refused before any DOM is built.
 *
 * The defaults, measured on the 2-core dev machine (CPU time of this function; linkedom 0.18,
 * Readability 0.6; worst of: 2,000 paragraphs inside one 31-deep div chain, chains of divs with
 * text at every level, 1,000 linked divs): 32 deep × 2,000 elements ≈ 0.35 s. For scale:
 * 3,000 elements ≈ 0.6–0.7 s, 5,000 ≈ 1 s, 3,000 at 64 deep ≈ 1.5 s, and issue 17's 20,000 at
 * 200 deep over 200 s. Text costs too, per ancestor that Readability measures it for: 0.8 MB of
 * paragraphs 32 deep take ≈ 1.4 s and 7.9 MB ≈ 9 s, bounded only by MAX_DOCUMENT_BYTES.
 */
export function extractHtml(
  html: string,
  limits: Pick<IngestLimits, 'MAX_HTML_DEPTH' | 'MAX_HTML_ELEMENTS'> = defaultLimits(),
): { text: string; title?: string } {
  checkShape(html, limits);
  const page = wrapIfFragment(html);
  // Readability mutates the DOM it reads: the fallback below parses the page again.
  const { document } = parseHTML(page);
  const pageTitle = document.title?.trim() || undefined;
  let article: { title?: string | null; content?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as Document, { charThreshold: 0 }).parse();
  } catch {
    article = null;
  }
  let text = '';
  if (article?.content) {
    const { document: content } = parseHTML(
      `<!doctype html><html><body>${article.content}</body></html>`,
    );
    text = blockText(content.body as unknown as Node);
  }
  if (!text.trim()) {
    const { document: original } = parseHTML(page);
    for (const element of Array.from(
      original.querySelectorAll(
        'script, style, noscript, template, nav, header, footer, aside, form',
      ),
    ))
      element.remove();
    text = original.body ? blockText(original.body as unknown as Node) : '';
  }
  const title = article?.title?.trim() || pageTitle;
  return { text, ...(title ? { title } : {}) };
}

/** Refuses (413) markup that would nest deeper or build more nodes than the limits allow. */
function checkShape(
  html: string,
  limits: Pick<IngestLimits, 'MAX_HTML_DEPTH' | 'MAX_HTML_ELEMENTS'>,
): void {
  const shape = scanHtml(html, { depth: limits.MAX_HTML_DEPTH, nodes: limits.MAX_HTML_ELEMENTS });
  if (shape.over === 'depth')
    throw new AppError(
      'payload_too_large',
      `The HTML page nests elements more than ${limits.MAX_HTML_DEPTH} deep (MAX_HTML_DEPTH): send a flatter page or its text`,
      { limit: 'MAX_HTML_DEPTH', max: limits.MAX_HTML_DEPTH },
    );
  if (shape.over === 'nodes')
    throw new AppError(
      'payload_too_large',
      `The HTML page has more than ${limits.MAX_HTML_ELEMENTS} elements (MAX_HTML_ELEMENTS; comments and character references count too): send a shorter page or its text`,
      { limit: 'MAX_HTML_ELEMENTS', max: limits.MAX_HTML_ELEMENTS },
    );
}

/** linkedom puts a fragment's text outside <body>; give fragments a page around them. */
function wrapIfFragment(html: string): string {
  return /<html[\s>]/i.test(html)
    ? html
    : `<!doctype html><html><head></head><body>${html}</body></html>`;
}

const BLOCK = new Set([
  'ADDRESS',
  'ARTICLE',
  'ASIDE',
  'BLOCKQUOTE',
  'DD',
  'DIV',
  'DL',
  'DT',
  'FIELDSET',
  'FIGCAPTION',
  'FIGURE',
  'FOOTER',
  'H1',
  'H2',
  'H3',
  'H4',
  'H5',
  'H6',
  'HEADER',
  'HR',
  'LI',
  'MAIN',
  'NAV',
  'OL',
  'P',
  'PRE',
  'SECTION',
  'TABLE',
  'TR',
  'UL',
]);
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SVG', 'CANVAS']);
const TEXT_NODE = 3;
const ELEMENT_NODE = 1;

/**
 * Text of a subtree with blocks separated by blank lines and <br> as a line break. Iterative
 * (an explicit work list, not recursion), so no nesting can overflow the call stack.
 */
function blockText(root: Node): string {
  const out: string[] = [];
  // Read last first: a node to read, or the text that closes a block once its children are read.
  const work: (Node | string)[] = [root];
  while (work.length > 0) {
    const item = work.pop()!;
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    if (item.nodeType === TEXT_NODE) {
      out.push((item.textContent ?? '').replace(/\s+/g, ' '));
      continue;
    }
    if (item.nodeType !== ELEMENT_NODE) continue;
    const tag = (item as Element).tagName.toUpperCase();
    if (SKIP.has(tag)) continue;
    if (tag === 'BR') {
      out.push('\n');
      continue;
    }
    const block = BLOCK.has(tag);
    if (block) {
      out.push('\n\n');
      work.push('\n\n');
    }
    if (tag === 'TD' || tag === 'TH') out.push(' ');
    const children = item.childNodes;
    for (let i = children.length - 1; i >= 0; i--) work.push(children[i]!);
  }
  return out.join('');
}
