/**
 * Plain ROUGE-1, ROUGE-2 and ROUGE-L (Lin, 2004) for one candidate against one reference.
 *
 * Decisions, fixed so that scores stay comparable across prompt versions:
 * - text is lower-cased and tokens are maximal runs of letters or digits (Unicode-aware), so
 *   punctuation separates tokens and is never a token itself ("U.S." → "u", "s");
 * - no stemming and no stop-word removal: the score counts the words as written;
 * - ROUGE-N counts clipped n-gram overlap (an n-gram matches at most as often as it occurs in
 *   the reference); precision divides by the candidate's n-grams, recall by the reference's;
 * - ROUGE-L is the longest common subsequence over the whole token sequence (not the
 *   sentence-level "summary-level" union LCS of ROUGE-Lsum);
 * - F1 is the harmonic mean of precision and recall (β = 1); an empty side scores 0.
 * Pure functions, no dependencies: usable on Node and Workers alike.
 */
export interface Score {
  precision: number;
  recall: number;
  f1: number;
}

export interface RougeScores {
  rouge1: Score;
  rouge2: Score;
  rougeL: Score;
}

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export function rouge(candidate: string, reference: string): RougeScores {
  const c = tokenize(candidate);
  const r = tokenize(reference);
  return { rouge1: rougeN(c, r, 1), rouge2: rougeN(c, r, 2), rougeL: rougeLcs(c, r) };
}

export function rougeN(
  candidate: readonly string[],
  reference: readonly string[],
  n: number,
): Score {
  const counts = new Map<string, number>();
  for (const gram of ngrams(reference, n)) counts.set(gram, (counts.get(gram) ?? 0) + 1);
  let overlap = 0;
  const candidateGrams = ngrams(candidate, n);
  for (const gram of candidateGrams) {
    const left = counts.get(gram) ?? 0;
    if (left > 0) {
      overlap++;
      counts.set(gram, left - 1);
    }
  }
  return score(overlap, candidateGrams.length, Math.max(0, reference.length - n + 1));
}

/** LCS length by dynamic programming over two rows: O(|c|·|r|) time, O(|r|) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Uint32Array(b.length + 1);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] =
        a[i - 1] === b[j - 1] ? previous[j - 1]! + 1 : Math.max(previous[j]!, current[j - 1]!);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length]!;
}

export function rougeLcs(candidate: readonly string[], reference: readonly string[]): Score {
  return score(lcsLength(candidate, reference), candidate.length, reference.length);
}

function ngrams(tokens: readonly string[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  return out;
}

function score(overlap: number, candidateTotal: number, referenceTotal: number): Score {
  const precision = candidateTotal > 0 ? overlap / candidateTotal : 0;
  const recall = referenceTotal > 0 ? overlap / referenceTotal : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** The first `count` words of a text, words being whitespace-separated (used for LEAD and cuts). */
export function firstWords(text: string, count: number): string {
  return text.split(/\s+/).filter(Boolean).slice(0, count).join(' ');
}
