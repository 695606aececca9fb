import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';

/**
 * An HTML page's main content as text: Readability (Firefox Reader View's algorithm) over a
 * linkedom DOM — both pure JavaScript, so this runs on Node and on Workers. Navigation,
 * headers, footers, sidebars and scripts are left out; block elements (paragraphs, headings,
 * list items, table rows…) become paragraphs, so the chunker can cut on them. When
 * Readability finds no article (a fragment, a bare list), the body is read instead, without
 * scripts, styles and the obvious boilerplate landmarks.
 */
export function extractHtml(html: string): { text: string; title?: string } {
  const { document } = parseHTML(wrapIfFragment(html));
  const pageTitle = document.title?.trim() || undefined;
  let article: { title?: string | null; content?: string | null } | null = null;
  try {
    // Readability mutates the DOM it reads: give it its own copy.
    const { document: copy } = parseHTML(document.toString());
    article = new Readability(copy as unknown as Document, { charThreshold: 0 }).parse();
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
    for (const element of Array.from(
      document.querySelectorAll(
        'script, style, noscript, template, nav, header, footer, aside, form',
      ),
    ))
      element.remove();
    text = document.body ? blockText(document.body as unknown as Node) : '';
  }
  const title = article?.title?.trim() || pageTitle;
  return { text, ...(title ? { title } : {}) };
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

/** Text of a subtree with blocks separated by blank lines and <br> as a line break. */
function blockText(root: Node): string {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === TEXT_NODE) {
      out.push((node.textContent ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const tag = (node as Element).tagName.toUpperCase();
    if (SKIP.has(tag)) return;
    if (tag === 'BR') {
      out.push('\n');
      return;
    }
    const block = BLOCK.has(tag);
    if (block) out.push('\n\n');
    if (tag === 'TD' || tag === 'TH') out.push(' ');
    for (const child of Array.from(node.childNodes)) walk(child);
    if (block) out.push('\n\n');
  };
  walk(root);
  return out.join('');
}
