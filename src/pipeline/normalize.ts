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
  return raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u200B-\u200D\u2060\uFEFF]/g, '')
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '')
    .replace(/[\t\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
