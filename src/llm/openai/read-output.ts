import { z } from 'zod';
import { utf8Bytes } from '../../lib/chars.js';
import type { LlmErrorKind } from '../provider.js';
import type { Completion } from './chat-completion.js';

const MAX_PROBLEM_CHARS = 2_000;
const FENCE = '```';
const WHITESPACE = /\s/;

/**
 * A response body may take this many bytes per byte of content: JSON escapes a control
 * character as `\u0001`, six bytes for one, so a body over 6 × MAX_MODEL_OUTPUT_BYTES (plus the
 * envelope) cannot hold an acceptable answer, and is dropped before it is all read.
 */
const RAW_BYTES_PER_OUTPUT_BYTE = 6;
const RAW_ENVELOPE_BYTES = 64 * 1024;

/** The value of a completion, what is wrong with its content, or why there is none to repair. */
export type Output<V> =
  | { ok: true; value: V; error?: undefined }
  | {
      ok: false;
      content: string;
      /** For the model, in the repair request: may quote its own output back. */
      problem: string;
      /** For the error message: our own wording, nothing quoted from the output. */
      reason: string;
      error?: undefined;
    }
  /** Refusals, cut-offs and over-size output: reported as such, since a repair would not help. */
  | { ok: false; error: { kind: LlmErrorKind; message: string; detail?: string } };

/** What a completion may be: its token limit, and the bytes its content may take. */
export interface OutputLimits {
  maxOutputTokens: number;
  /** MAX_MODEL_OUTPUT_BYTES: UTF-8 bytes of the content. */
  maxOutputBytes: number;
}

/** The value of a completion, or what is wrong with it. */
export function readOutput<V>(
  completion: Completion,
  schema: z.ZodType<V>,
  limits: OutputLimits,
): Output<V> {
  const choice = completion.choices[0]!;
  const content = choice.message.content ?? '';
  // First, before anything parses it: an over-size answer is refused whole. It is not offered a
  // repair, which would pay for a second answer as large (and send the first one back).
  const bytes = utf8Bytes(content);
  if (bytes > limits.maxOutputBytes) {
    const message =
      `the model's output is ${bytes} bytes, over MAX_MODEL_OUTPUT_BYTES ` +
      `(${limits.maxOutputBytes} bytes)`;
    return { ok: false, error: { kind: 'invalid_output', message } };
  }
  if (choice.message.refusal) {
    const detail = choice.message.refusal;
    return { ok: false, error: { kind: 'refusal', message: 'the model refused', detail } };
  }
  if (choice.finish_reason === 'content_filter') {
    const message = 'the endpoint withheld the output (finish_reason content_filter)';
    return { ok: false, error: { kind: 'refusal', message } };
  }
  if (choice.finish_reason === 'length') {
    const message = `the output was cut off at the limit of ${limits.maxOutputTokens} output tokens`;
    return { ok: false, error: { kind: 'length', message } };
  }
  let json: unknown;
  try {
    json = JSON.parse(unwrapCodeFence(content));
  } catch (error) {
    // The parser's message quotes the output: fine for the model, not for the error message.
    const problem = `it is not JSON (${(error as Error).message})`;
    return { ok: false, content, problem, reason: 'it is not JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  // zod's wording and the schema's paths; the schemas are not strict, so no key of the output's own.
  const details = z.prettifyError(parsed.error).slice(0, MAX_PROBLEM_CHARS);
  const problem = `it does not match the schema:\n${details}`;
  return { ok: false, content, problem, reason: problem };
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

/** The most bytes a response body may take when its answer takes at most `maxOutputBytes`. */
export function bodyLimit(maxOutputBytes: number): number {
  return maxOutputBytes * RAW_BYTES_PER_OUTPUT_BYTE + RAW_ENVELOPE_BYTES;
}

/** Why a response body was dropped unread: it is over `limit` bytes. */
export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the response body is over ${limit} bytes`);
  }
}

/**
 * `fetch` whose response bodies stop at `limit` bytes: a larger declared Content-Length fails at
 * once, a longer body fails when the reader passes the limit. `trustLength` only for a fetch
 * that never reads past a declared Content-Length (the Node transport's undici). The SDK reads whole bodies (error
 * bodies too), so this is where their size is bounded, before any of it is parsed.
 */
export function limitBodies(
  inner: typeof fetch | undefined,
  limit: number,
  { trustLength = false }: { trustLength?: boolean } = {},
): typeof fetch {
  return async (input, init) => {
    const response = await (inner ?? fetch)(input, init);
    // An error answer goes on to the SDK, cut off below, so that its status is still read.
    if (response.ok && Number(response.headers.get('content-length')) > limit) {
      void response.body?.cancel().catch(() => {});
      throw new BodyTooLarge(limit);
    }
    if (!response.body || [204, 205, 304].includes(response.status)) return response;
    // With `trustLength` (undici's fetch, which reads no further than the declared length), a
    // body declared within the limit and not compressed (a compressed one is decoded to more)
    // is passed on as it came: that saves each call ~0.5 ms of web-stream piping on the main
    // thread (issue 14). Any other fetch's bodies are counted.
    const declared = response.headers.get('content-length') ?? '';
    const encoding = response.headers.get('content-encoding');
    if (
      trustLength &&
      /^\d+$/.test(declared) &&
      Number(declared) <= limit &&
      (!encoding || encoding === 'identity')
    )
      return response;
    let seen = 0;
    const counted = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new BodyTooLarge(limit));
        else controller.enqueue(chunk);
      },
    });
    const { status, statusText, headers } = response;
    return new Response(response.body.pipeThrough(counted), { status, statusText, headers });
  };
}

/** The BodyTooLarge behind `error`: thrown by the body's reader, or the cause the SDK wrapped. */
export function bodyTooLarge(error: unknown): BodyTooLarge | undefined {
  if (error instanceof BodyTooLarge) return error;
  if (error instanceof Error && error.cause instanceof BodyTooLarge) return error.cause;
  return undefined;
}
