/** One measured figure: its value, the target it is held to (if any) and whether it meets it. */
export interface Figure {
  key: string;
  value: number;
  unit?: string;
  /** `>=` or `<=` a number, `==` a number; absent when the issue sets no target (reported only). */
  target?: { op: '>=' | '<=' | '=='; value: number };
  /** What else was measured alongside (latencies, breakdowns, per-case values). */
  details?: Record<string, unknown>;
  /** Why it misses, or a caveat the reader needs. */
  note?: string;
}

export function passes(figure: Figure): boolean | null {
  const { target, value } = figure;
  if (!target) return null;
  if (!Number.isFinite(value)) return false;
  if (target.op === '>=') return value >= target.value;
  if (target.op === '<=') return value <= target.value;
  return Math.abs(value - target.value) < 1e-9;
}

export const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Tokens as the test LLM server and the provider's estimate count them (four characters a token). */
export const estimate = (chars: number) => Math.ceil(chars / 4);
