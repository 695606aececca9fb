/**
 * Quotation marks: where a text quotes someone, and whether a sentence opens a quotation it
 * does not close. Shared by the voice reader (whose words a passage is), the sentence splitter
 * (re-joining a quotation cut in two), the summary's sentence filter and the re-wording of
 * loaded words (quoted words stay as quoted).
 */
/**
 * Quotation marks paired within a paragraph: “…”, "…" and ‘…’ (a ‘ that opens a word). A quote
 * left open at the end of a paragraph runs to its end, as news style continues quotations.
 */
export function quotedRanges(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let open = -1;
  let closer = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\n' && text[i + 1] === '\n') {
      if (open >= 0) out.push([open, i]);
      open = -1;
      continue;
    }
    if (open >= 0) {
      // Mixed marks close each other too (“…" and "…”), as careless typing and OCR leave them.
      if (ch === closer || (closer === '"' && ch === '”') || (closer === '”' && ch === '"')) {
        out.push([open, i + 1]);
        open = -1;
      }
      continue;
    }
    if (ch === '“' || ch === '"') {
      open = i;
      closer = ch === '“' ? '”' : '"';
    } else if (ch === '‘' && (i === 0 || /[\s(—–-]/.test(text[i - 1]!))) {
      open = i;
      closer = '’';
    }
  }
  if (open >= 0) out.push([open, text.length]);
  // A ’ closing an opening ‘ may be an apostrophe instead ("the ‘people’s’ plan"): keep ranges short.
  return out.filter(([start, end]) => text[start] !== '‘' || end - start <= 200);
}

function counts(text: string) {
  return {
    straight: (text.match(/"/g) ?? []).length,
    open: (text.match(/“/g) ?? []).length,
    close: (text.match(/”/g) ?? []).length,
  };
}

/** More quotations opened than closed: the sentence stops inside a quotation. */
export function opensQuotation(text: string): boolean {
  const { straight, open, close } = counts(text);
  return straight % 2 === 1 || open > close;
}

/** Every quotation opened is closed, and none closed that was not opened. */
export function quotationsBalanced(text: string): boolean {
  const { straight, open, close } = counts(text);
  return straight % 2 === 0 && open === close;
}
