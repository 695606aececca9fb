/**
 * The normalized text is what gets hashed into the document id, chunked, shown, and what
 * citation offsets point into. Decisions (written down because they define document identity):
 * - Unicode NFC; a leading byte-order mark and zero-width characters are removed;
 * - line endings become `\n`; other control characters (but tab) are removed;
 * - Unicode spaces (no-break, thin, ideographic…) and tabs become a plain space, and runs of
 *   spaces inside a line collapse to one; lines are trimmed at both ends;
 * - three or more line breaks collapse to one blank line; the whole text is trimmed.
 * Paragraph structure (blank lines) survives, which is what the chunker cuts on.
 */
export function normalizeText(raw: string): string {
  // Every POST normalizes its document before the cache is looked at, so a pass is only run when
  // a test (a regex scan, a fraction of the cost of a replace or of a JS loop over the chars)
  // says the text needs it. A repeat POST of an already normalized text runs none of them.
  let text = raw.normalize('NFC');
  if (SPECIAL.test(text)) {
    text = text
      .replace(/\r\n?/g, '\n')
      .replace(ZERO_WIDTH, '')
      .replace(CONTROL, '')
      .replace(OTHER_SPACE, ' ');
  }
  if (SPACING.test(text)) {
    text = text
      .replace(/ {2,}/g, ' ')
      .replace(/ +\n *|\n +/g, '\n')
      .replace(/\n{3,}/g, '\n\n');
  }
  return text.trim();
}

const ZERO_WIDTH = /[\u200B-\u200D\u2060\uFEFF]/g;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const OTHER_SPACE = /[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
/** Any character one of the three classes above, or `\r`, would change. */
const SPECIAL =
  /[\r\t\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u00A0\u1680\u2000-\u200D\u202F\u205F\u2060\u3000\uFEFF]/;
/** Two spaces in a row, a space beside a line break, or three line breaks. */
const SPACING = / {2}| \n|\n |\n{3}/;
