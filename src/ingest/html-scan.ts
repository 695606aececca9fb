/**
 * A linear pre-scan of HTML markup: how many nodes a parser would build and how deeply it
 * would nest them, read before any DOM is built. It follows the tree-building rules of
 * htmlparser2 (linkedom's parser) that decide nesting: void elements, tags whose start closes
 * an open one (`<p>`, `<li>`, `<td>`…), end tags that close up to their match or are ignored,
 * self-closing tags only inside SVG and MathML, and the raw-text elements whose content is not
 * markup (script, style, title, textarea, xmp). Comments, CDATA sections, declarations and
 * character references (each of which splits a text node) count as nodes too. One pass, no
 * regular expression: every character is looked at a bounded number of times, and the scan
 * stops as soon as a limit is passed.
 */

export interface HtmlShape {
  /** Elements, comments and other markup nodes (text nodes left out), as far as the scan went. */
  nodes: number;
  /** The deepest nesting of elements seen, as far as the scan went. */
  depth: number;
  /** Which limit the markup passed (the scan stopped there), if any. */
  over?: 'depth' | 'nodes';
}

const VOID = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);

const P = new Set(['p']);
const FORM = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const SECTIONS = new Set(['thead', 'tbody']);
const DD_DT = new Set(['dd', 'dt']);
const RT_RP = new Set(['rt', 'rp']);
/** Tags whose start closes the open element on top while it is one of these (htmlparser2's openImpliesClose). */
const IMPLIES_CLOSE = new Map<string, Set<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', DD_DT],
  ['dt', DD_DT],
  ['rt', RT_RP],
  ['rp', RT_RP],
  ['tbody', SECTIONS],
  ['tfoot', SECTIONS],
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map(
    (tag) => [tag, FORM] as [string, Set<string>],
  ),
  ...[
    'p',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'address',
    'article',
    'aside',
    'blockquote',
    'details',
    'div',
    'dl',
    'fieldset',
    'figcaption',
    'figure',
    'footer',
    'form',
    'header',
    'hr',
    'main',
    'nav',
    'ol',
    'pre',
    'section',
    'table',
    'ul',
  ].map((tag) => [tag, P] as [string, Set<string>]),
]);
const FOREIGN = new Set(['math', 'svg']);
const INTEGRATION = new Set([
  'mi',
  'mo',
  'mn',
  'ms',
  'mtext',
  'annotation-xml',
  'foreignobject',
  'desc',
  'title',
]);
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const EQUALS = 0x3d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const DASH = 0x2d;
const AMP = 0x26;
const LBRACKET = 0x5b;
const CDATA = 'CDATA[';

function isAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

/** Counts the nodes and the nesting `html` would parse to, stopping once either passes its limit. */
export function scanHtml(html: string, limits: { depth: number; nodes: number }): HtmlShape {
  const n = html.length;
  const stack: string[] = []; // open elements, innermost last
  const onStack = new Map<string, number>(); // how many of each name are open: an end tag's match in O(1)
  const foreign: boolean[] = []; // htmlparser2's foreign-content stack (SVG, MathML), innermost last
  let nodes = 0;
  let depth = 0;

  const push = (name: string) => {
    stack.push(name);
    onStack.set(name, (onStack.get(name) ?? 0) + 1);
  };
  const pop = () => {
    const name = stack.pop()!;
    onStack.set(name, onStack.get(name)! - 1);
  };
  /** One more element at the current nesting; false once a limit is passed. */
  const element = (): boolean => {
    nodes++;
    if (stack.length + 1 > depth) depth = stack.length + 1;
    return nodes <= limits.nodes && depth <= limits.depth;
  };
  const over = (): HtmlShape => ({ nodes, depth, over: depth > limits.depth ? 'depth' : 'nodes' });
  /** The index just past the next `>` at or after `from` (the end of the markup without one). */
  const pastGt = (from: number): number => {
    const gt = html.indexOf('>', from);
    return gt === -1 ? n : gt + 1;
  };

  let i = 0;
  while (i < n) {
    // Text up to the next `<`; each character reference in it makes a text node of its own.
    for (; i < n; i++) {
      const t = html.charCodeAt(i);
      if (t === LT) break;
      if (t === AMP) nodes++;
    }
    if (nodes > limits.nodes) return over();
    if (i === n) break;
    i++;
    const c = html.charCodeAt(i);

    if (c === BANG || c === QUESTION) {
      // A comment, CDATA section, doctype or processing instruction: one node, no nesting.
      // Where each ends follows htmlparser2's tokenizer, odd forms (`<!>`, `<!-x>`) included.
      const next = html.charCodeAt(i + 1);
      if (c === QUESTION) {
        i = pastGt(i + 1);
      } else if (next === DASH) {
        // `<!--` ends at the first `-->`, its own dashes counting (`<!-->` is a whole comment).
        const end = html.charCodeAt(i + 2) === DASH ? html.indexOf('-->', i + 1) : -2;
        i = end === -2 ? pastGt(i + 3) : end === -1 ? n : end + 3;
      } else if (next === LBRACKET) {
        let k = 0;
        while (k < CDATA.length && html.charCodeAt(i + 2 + k) === CDATA.charCodeAt(k)) k++;
        const end = k === CDATA.length ? html.indexOf(']]>', i + 2 + k) : -2;
        i = end === -2 ? pastGt(i + 2 + k) : end === -1 ? n : end + 3;
      } else {
        i = pastGt(i + 2);
      }
      if (++nodes > limits.nodes) return over();
      continue;
    }

    if (c === SLASH) {
      // An end tag; `</>` is ignored and `</` before anything but a letter opens a comment.
      let j = i + 1;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      const first = html.charCodeAt(j);
      if (!isAlpha(first)) {
        i = pastGt(j);
        if (first === GT || j === n) continue;
        if (++nodes > limits.nodes) return over();
        continue;
      }
      const start = j;
      while (j < n && !isSpace(html.charCodeAt(j)) && html.charCodeAt(j) !== GT) j++;
      if (j === n) break; // an end tag cut off by the end of the markup is not one
      const name = html.slice(start, j).toLowerCase();
      i = pastGt(j);
      if (FOREIGN.has(name) || INTEGRATION.has(name)) foreign.pop();
      if (!VOID.has(name)) {
        if ((onStack.get(name) ?? 0) > 0) {
          while (stack[stack.length - 1] !== name) pop();
          pop();
        } else if (name === 'p' && !element()) {
          return over(); // `</p>` with no open <p> makes an empty one
        }
      } else if (name === 'br' && !element()) {
        return over(); // `</br>` makes a <br>
      }
      continue;
    }

    if (!isAlpha(c)) continue; // a `<` in text

    // A start tag: its name, then attributes up to the `>` that is not inside a quoted value.
    let j = i + 1;
    while (j < n) {
      const d = html.charCodeAt(j);
      if (isSpace(d) || d === SLASH || d === GT) break;
      j++;
    }
    const name = html.slice(i, j).toLowerCase();
    let selfClosing = false;
    let ended = false;
    while (j < n) {
      const d = html.charCodeAt(j);
      if (d === GT) {
        j++;
        ended = true;
        break;
      }
      if (d === SLASH) {
        selfClosing = true;
        j++;
        continue;
      }
      if (isSpace(d)) {
        j++;
        continue;
      }
      selfClosing = false;
      // An attribute name (its first character whatever it is, `=` too), then perhaps `=` and a value.
      j++;
      while (j < n) {
        const e = html.charCodeAt(j);
        if (isSpace(e) || e === SLASH || e === GT || e === EQUALS) break;
        j++;
      }
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      if (html.charCodeAt(j) !== EQUALS) continue;
      j++;
      while (j < n && isSpace(html.charCodeAt(j))) j++;
      const quote = html.charCodeAt(j);
      if (quote === DQUOTE || quote === SQUOTE) {
        const end = html.indexOf(quote === DQUOTE ? '"' : "'", j + 1);
        j = end === -1 ? n : end + 1;
      } else {
        while (j < n) {
          const e = html.charCodeAt(j);
          if (isSpace(e) || e === GT) break;
          j++;
        }
      }
    }
    if (!ended) break; // a tag cut off by the end of the markup is not one
    i = j;

    const closes = IMPLIES_CLOSE.get(name);
    if (closes) while (stack.length > 0 && closes.has(stack[stack.length - 1]!)) pop();
    if (!element()) return over();
    if (VOID.has(name)) continue;
    push(name);
    if (FOREIGN.has(name)) foreign.push(true);
    else if (INTEGRATION.has(name)) foreign.push(false);
    if (selfClosing) {
      // Only SVG and MathML honour `/>`; elsewhere `<div/>` opens a div (htmlparser2, as browsers).
      if (foreign[foreign.length - 1]) pop();
      continue;
    }
    if (RAW_TEXT.has(name)) {
      // Its content is text up to its own end tag, which the loop then reads; a title's or a
      // textarea's character references are decoded, each a text node.
      const references = name === 'title' || name === 'textarea';
      let k = i;
      for (; k < n; k++) {
        const t = html.charCodeAt(k);
        if (t === AMP && references) nodes++;
        if (t !== LT || html.charCodeAt(k + 1) !== SLASH) continue;
        const after = html.charCodeAt(k + 2 + name.length);
        if (
          (after === GT || isSpace(after)) &&
          html.slice(k + 2, k + 2 + name.length).toLowerCase() === name
        )
          break;
      }
      if (nodes > limits.nodes) return over();
      i = k;
    }
  }
  return { nodes, depth };
}
