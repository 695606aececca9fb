import { z } from 'zod';
import type { LlmErrorKind } from '../provider.js';
import type { Completion } from './chat-completion.js';

const MAX_PROBLEM_CHARS = 2_000;
const FENCE = '```';
const WHITESPACE = /\s/;

/** The value of a completion, what is wrong with its content, or why there is none to repair. */
export type Output<V> =
  | { ok: true; value: V; error?: undefined }
  | { ok: false; content: string; problem: string; error?: undefined }
  /** Refusals and cut-offs: reported as such, since a repair would not help. */
  | { ok: false; error: { kind: LlmErrorKind; message: string } };

/** The value of a completion, or what is wrong with it. */
export function readOutput<V>(
  completion: Completion,
  schema: z.ZodType<V>,
  maxOutputTokens: number,
): Output<V> {
  const choice = completion.choices[0]!;
  if (choice.message.refusal) {
    const message = `the model refused: ${choice.message.refusal}`;
    return { ok: false, error: { kind: 'refusal', message } };
  }
  if (choice.finish_reason === 'content_filter') {
    const message = 'the endpoint withheld the output (finish_reason content_filter)';
    return { ok: false, error: { kind: 'refusal', message } };
  }
  if (choice.finish_reason === 'length') {
    const message = `the output was cut off at the limit of ${maxOutputTokens} output tokens`;
    return { ok: false, error: { kind: 'length', message } };
  }
  const content = choice.message.content ?? '';
  let json: unknown;
  try {
    json = JSON.parse(unwrapCodeFence(content));
  } catch (error) {
    return { ok: false, content, problem: `it is not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const details = z.prettifyError(parsed.error).slice(0, MAX_PROBLEM_CHARS);
  return { ok: false, content, problem: `it does not match the schema:\n${details}` };
}

/**
 * The text inside a Markdown code fence (three backticks, optionally tagged `json`) that wraps
 * all of `content`, or `content` itself when it is not so wrapped. Some local models wrap
 * JSON-mode output in a fence despite instructions.
 *
 * Same results as `/^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/`, in linear time: that regex
 * backtracks about cubically (a fence followed by 5,000 newlines took ~49 s).
 */
export function unwrapCodeFence(content: string): string {
  const start = content.length - content.trimStart().length;
  const end = content.trimEnd().length;
  if (!content.startsWith(FENCE, start) || !content.endsWith(FENCE, end)) return content;
  let open = start + FENCE.length; // past the opening fence and its optional tag
  if (content.startsWith('json', open)) open += 'json'.length;
  const close = end - FENCE.length; // where the closing fence begins
  if (close < open) return content;
  let first = open;
  while (first < close && WHITESPACE.test(content[first]!)) first++;
  if (first === close) {
    // Only whitespace between the fences: the regex captures what lies between the last two
    // newlines (possibly nothing), since its opening `\s*` is greedy and needs a closing `\n`.
    const last = content.lastIndexOf('\n', close - 1);
    const previous = content.lastIndexOf('\n', last - 1);
    return last >= open && previous >= open ? content.slice(previous + 1, last) : content;
  }
  let past = close;
  while (WHITESPACE.test(content[past - 1]!)) past--;
  // The text starts after the last newline before its first character and ends at the first
  // newline after its last one; both newlines must exist.
  const opening = content.lastIndexOf('\n', first - 1);
  const closing = content.indexOf('\n', past);
  if (opening < open || closing === -1 || closing >= close) return content;
  return content.slice(opening + 1, closing);
}
