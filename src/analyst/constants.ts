/** Model name recorded in provenance; bump it when the analyst's output changes meaningfully. */
export const ANALYST_MODEL = 'analyst-3';

/** The service never verifies quotes shorter than 8 characters (src/pipeline/verify.ts). */
export const MIN_QUOTE_CHARS = 12;

/** Rough token estimate used for usage and budgets: four characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
