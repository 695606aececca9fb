/**
 * Words with offsets, independent of the tokenizer: a run of letters or digits, with inner
 * apostrophes and hyphens kept (`so-called`, `don't`) and numbers whole (`3,000`, `4.5`), so that lexicon phrases match the way
 * a reader writes them. Curly apostrophes are folded to straight ones in `lower`.
 */
export interface Word {
  lower: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:(?:['’-]|(?<=\p{N})[.,](?=\p{N}))[\p{L}\p{N}]+)*/gu;

export function wordsOf(text: string, offset = 0, end = text.length): Word[] {
  const out: Word[] = [];
  WORD.lastIndex = offset;
  for (let m = WORD.exec(text); m !== null && m.index < end; m = WORD.exec(text)) {
    const lower = m[0].toLowerCase();
    out.push({
      lower: lower.includes('’') ? lower.replace(/’/g, "'") : lower,
      start: m.index,
      end: m.index + m[0].length,
    });
  }
  return out;
}

export function countWords(text: string): number {
  let n = 0;
  WORD.lastIndex = 0;
  while (WORD.exec(text) !== null) n++;
  return n;
}

export interface PhraseMatch<T> {
  /** Word indexes [from, to). */
  from: number;
  to: number;
  phrase: string;
  data: T;
}

/**
 * Finds lexicon phrases in a word sequence: a map from first word to candidate phrases,
 * longest first, so matching is linear in the text. `*` in a phrase matches any one word.
 */
export class PhraseMatcher<T> {
  private readonly byFirst = new Map<string, Array<{ words: string[]; phrase: string; data: T }>>();

  constructor(entries: Iterable<[string, T]>) {
    for (const [phrase, data] of entries) {
      const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
      const first = words[0];
      if (!first || first === '*') throw new Error(`bad lexicon phrase: "${phrase}"`);
      const list = this.byFirst.get(first) ?? [];
      list.push({ words, phrase, data });
      list.sort((a, b) => b.words.length - a.words.length);
      this.byFirst.set(first, list);
    }
  }

  /** Non-overlapping matches, left to right, longest phrase first at each position. */
  find(words: readonly Word[]): PhraseMatch<T>[] {
    const out: PhraseMatch<T>[] = [];
    for (let i = 0; i < words.length; i++) {
      const candidates = this.byFirst.get(words[i]!.lower);
      if (!candidates) continue;
      for (const candidate of candidates) {
        if (matchesAt(words, i, candidate.words)) {
          out.push({
            from: i,
            to: i + candidate.words.length,
            phrase: candidate.phrase,
            data: candidate.data,
          });
          i += candidate.words.length - 1;
          break;
        }
      }
    }
    return out;
  }
}

function matchesAt(words: readonly Word[], at: number, phrase: readonly string[]): boolean {
  if (at + phrase.length > words.length) return false;
  for (let k = 0; k < phrase.length; k++) {
    if (phrase[k] !== '*' && phrase[k] !== words[at + k]!.lower) return false;
  }
  return true;
}

/** Splits one pass of `wordsOf` over the whole text into per-span lists (spans in order). */
export function wordsBySpan(
  words: readonly Word[],
  spans: ReadonlyArray<{ start: number; end: number }>,
): Word[][] {
  const out: Word[][] = [];
  let k = 0;
  for (const span of spans) {
    while (k < words.length && words[k]!.start < span.start) k++;
    const list: Word[] = [];
    while (k < words.length && words[k]!.end <= span.end) list.push(words[k++]!);
    out.push(list);
  }
  return out;
}
