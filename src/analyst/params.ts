import type { PromptParams } from '../prompts/prompt.js';

/**
 * The `analyst.*` thresholds a prompt version may set (README.md lists them). Unknown names are
 * ignored; missing ones take these defaults.
 */
export const ANALYST_DEFAULTS = {
  /** Sentence score weights: graph centrality, position, keyword coverage, title overlap. */
  centralityWeight: 0.35,
  positionWeight: 0.25,
  coverageWeight: 0.25,
  titleWeight: 0.15,
  /** MMR redundancy penalty: 0 ignores overlap with sentences already chosen. */
  redundancy: 0.6,
  /**
   * Summary length as a share of the chunk's words (0: always `summaryWords`), never below
   * `minSummaryWords` nor above `summaryWords`.
   */
  summaryShare: 0,
  minSummaryWords: 60,
  /** Sentences shorter than this (in words) are not summary candidates. */
  minSentenceWords: 6,
  /** Quotes longer than this are cut to the clause around the evidence. */
  maxQuoteChars: 280,
  maxStakeholders: 10,
  /**
   * Mentions an actor the document accuses, or says was not heard, needs before a
   * missing_perspective note is written about them.
   */
  centralMentions: 1,
  /** Occurrences that make a sentence or slogan a repetition. */
  repetitionMin: 2,
  /** Lowest lexicon weight (1–3) reported as loaded language. */
  loadedMinWeight: 1,
  /** Notes of one kind kept before the kinds are interleaved. */
  maxNotesPerKind: 3,
  /** Citations attached to one note. */
  maxCitationsPerNote: 2,
};

export type AnalystParams = typeof ANALYST_DEFAULTS;

export interface Settings extends AnalystParams {
  summaryWords: number;
  maxKeyPoints: number;
  maxNotes: number;
  noteKinds: ReadonlySet<string>;
}

export function settingsFrom(params: PromptParams): Settings {
  const analyst: AnalystParams = { ...ANALYST_DEFAULTS };
  for (const key of Object.keys(ANALYST_DEFAULTS) as Array<keyof AnalystParams>) {
    const value = params.analyst?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) analyst[key] = value;
  }
  return {
    ...analyst,
    summaryWords: params.summaryWords,
    maxKeyPoints: params.maxKeyPoints,
    maxNotes: params.maxNotes,
    noteKinds: new Set(params.noteKinds),
  };
}
