import type { PerspectivesInput } from '../llm/provider.js';
import { figuresOf, GENERIC_QUANTITIES, stem, type Figure } from '../perspectives/passages.js';
import type { ModelAlignment } from '../perspectives/schema.js';
import { analyse } from './nlp.js';

/**
 * The offline analyst's reading of one claim against another document's retrieved passages
 * (the `perspectives` stage). Precision first: a passage answers the claim only when it shares
 * most of what is particular to the claim, or the same counted quantity and some of it; in
 * doubt it is not an answer, and the document reads as silent.
 *
 * Overlap is weighted: the passages were retrieved because they share the topic's words (the
 * place, the parties, "depot"), so a claim word found in many of them says little about which
 * one answers; each claim word weighs 1 / (the number of passages that have it, at least 1).
 *
 * - disputes: weighted overlap ≥ 50 % and the two differ in polarity — one denies, rejects or
 *   negates ("was never consulted", "is false", "not 186") where the other does not; or the
 *   passage calls figures about the very thing the claim counts misleading, false or
 *   exaggerated ("340 homes" / "misleading figures on the number of homes affected");
 * - differs: the same quantity with another value — a counted noun ("186 jobs") with ≥ 30 %
 *   overlap, money, a percentage, a year or a date with ≥ 50 %;
 * - agrees: the same quantity with the same value under the same overlaps, or ≥ 80 % with no
 *   figure and no polarity in conflict.
 * Every mark needs at least three of the claim's words in the passage. One answer per claim and
 * document: the larger overlap (a passage counting the same quantity first), then the stronger
 * mark.
 */
const DISPUTE_OVERLAP = 0.5;
const FIGURE_OVERLAP = 0.3;
const GENERIC_FIGURE_OVERLAP = 0.5;
const AGREE_OVERLAP = 0.8;
/** Claim words a passage must share for any mark: a short claim is covered too easily. */
const MIN_SHARED = 3;

/** Words that reject a statement outright (a bare "not" is only a difference of polarity). */
const REJECTION =
  /\b(?:den(?:y|ies|ied)|false|untrue|misleading|incorrect|inaccurate|wrong|reject(?:s|ed)?|baseless|exaggerat\w*|misinformation)\b/i;
const NEGATION =
  /\b(?:den(?:y|ies|ied)|false|untrue|never|misleading|incorrect|inaccurate|wrong|reject(?:s|ed)?|baseless|no evidence|not|n't|nor)\b/i;

interface Reading {
  stems: Set<string>;
  figures: Figure[];
  negated: boolean;
  rejects: boolean;
}

function read(text: string): Reading {
  const analysis = analyse(text);
  const stopWords = new Set(analysis.tokens.filter((t) => t.stop).map((t) => t.lower));
  const stems = new Set(
    analysis.sentences.flatMap((s) => s.terms.map(stem)).filter((s) => s.length > 2),
  );
  return {
    stems,
    figures: figuresOf(text, stopWords),
    negated: NEGATION.test(text),
    rejects: REJECTION.test(text),
  };
}

function overlap(claim: Reading, passage: Reading, weight: (stem: string) => number): number {
  let shared = 0;
  let all = 0;
  let count = 0;
  for (const s of claim.stems) {
    all += weight(s);
    if (passage.stems.has(s)) {
      shared += weight(s);
      count++;
    }
  }
  return all === 0 || count < MIN_SHARED ? 0 : shared / all;
}

/** The same thing counted: the same generic quantity, or a noun in common after the numbers. */
function sameQuantity(f: Figure, g: Figure): boolean {
  if (GENERIC_QUANTITIES.has(f.quantity) || GENERIC_QUANTITIES.has(g.quantity))
    return f.quantity === g.quantity;
  return f.nouns.some((noun) => g.nouns.includes(noun));
}

type Answer = ModelAlignment['responses'][number] & { rank: number; overlap: number };

const RANK = { disputes: 3, differs: 2, agrees: 1 } as const;

export function alignClaim(input: PerspectivesInput): ModelAlignment {
  const claim = read(input.claim.text);
  const readings = input.passages.map((passage) => read(passage.text));
  const weight = (s: string) => 1 / Math.max(1, readings.filter((r) => r.stems.has(s)).length);
  const answers: Answer[] = [];
  input.passages.forEach((passage, index) => {
    const other = readings[index]!;
    const shared = overlap(claim, other, weight);
    const pairs = claim.figures
      .flatMap((f) => other.figures.filter((g) => sameQuantity(f, g)).map((g) => ({ f, g })))
      .filter(
        ({ f }) =>
          shared >= (GENERIC_QUANTITIES.has(f.quantity) ? GENERIC_FIGURE_OVERLAP : FIGURE_OVERLAP),
      );
    const different = pairs.find(({ f, g }) => f.value !== g.value);
    const same = pairs.find(({ f, g }) => f.value === g.value);
    const answer = (mark: Answer['mark'], note: string) =>
      answers.push({
        passage: index + 1,
        mark,
        quote: passage.text,
        note,
        rank: RANK[mark],
        overlap: shared + (pairs.length > 0 ? 0.2 : 0),
      });
    // A passage that calls the figures about the claim's counted thing misleading or false
    // ("misleading figures on the number of homes affected") rejects the claim's figure.
    const rejectsFigure =
      shared > 0 &&
      other.rejects &&
      !claim.negated &&
      claim.figures.some((f) => f.nouns.some((noun) => other.stems.has(noun)));
    if ((shared >= DISPUTE_OVERLAP && claim.negated !== other.negated) || rejectsFigure) {
      const figure = different
        ? ` It gives ${different.g.text} where the claim gives ${different.f.text}.`
        : '';
      answer('disputes', `Denies or rejects the claim.${figure}`);
    } else if (different) {
      answer('differs', `Gives ${different.g.text} where the claim gives ${different.f.text}.`);
    } else if (same && claim.negated === other.negated) {
      answer('agrees', `States the same figure: ${same.g.text}.`);
    } else if (shared >= AGREE_OVERLAP && pairs.length === 0 && claim.negated === other.negated) {
      answer('agrees', 'States the same.');
    }
  });
  answers.sort((a, b) => b.overlap - a.overlap || b.rank - a.rank || a.passage - b.passage);
  return {
    responses: answers
      .slice(0, 1)
      .map(({ passage, mark, quote, note }) => ({ passage, mark, quote, note })),
  };
}
