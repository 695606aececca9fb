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
  // Every POST normalizes its document before the cache is looked at, so the passes a text
  // does not need are skipped: one scan of char codes costs a fraction of a regex pass.
  const has = scan(raw.normalize('NFC'));
  let text = has.text;
  if (has.carriageReturn) text = text.replace(/\r\n?/g, '\n');
  if (has.zeroWidth) text = text.replace(/[\u200B-\u200D\u2060\uFEFF]/g, '');
  if (has.control) text = text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
  if (has.otherSpace) text = text.replace(/[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ');
  return text
    .replace(/ {2,}/g, ' ')
    .replace(/ +\n *|\n +/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Which of the character classes above occur in `text`. */
function scan(text: string) {
  const has = { text, carriageReturn: false, zeroWidth: false, control: false, otherSpace: false };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20) {
      if (c === 0x0d) has.carriageReturn = true;
      else if (c === 0x09) has.otherSpace = true;
      else if (c !== 0x0a) has.control = true;
    } else if (c === 0x7f) {
      has.control = true;
    } else if (c >= 0xa0) {
      if (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000) has.otherSpace = true;
      else if ((c >= 0x200b && c <= 0x200d) || c === 0x2060 || c === 0xfeff) has.zeroWidth = true;
    }
  }
  return has;
}
