import OpenAI, { APIConnectionError, APIError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { jsonSchemaResponseFormat, toStrictJsonSchema } from './json-schema.js';
import { LlmError, type GenerateRequest, type GenerateResult, type LlmErrorKind, type Provider, type Usage } from './provider.js';
import { countTokens } from './tokens.js';

export interface OpenAIProviderOptions {
  /** Any OpenAI-compatible endpoint (OpenAI, Azure, Ollama's /v1, vLLM, llama.cpp, LM Studio). */
  baseURL?: string;
  /** Local servers ignore it; it is only ever sent as the Authorization header. */
  apiKey?: string;
  defaultModel: string;
  chunkTokens: number;
  /** Whole-request deadline per HTTP request, body included. */
  timeoutMs: number;
  /** Retries after the first attempt, on 408/409/429/5xx, connection errors and timeouts. */
  maxRetries: number;
  /** Longest Retry-After we wait for; a longer one fails the call at once. */
  retryAfterCapMs: number;
  /** Transport, for tests and runtimes without a global fetch. */
  fetch?: typeof fetch;
}

const BACKOFF_BASE_MS = 250;
const BACKOFF_MAX_MS = 8_000;
const MAX_ERROR_CHARS = 500;
const MAX_PROBLEM_CHARS = 2_000;

/** The fields of a chat completion this provider reads (parsed, because it comes from outside). */
const Completion = z.object({
  model: z.string().nullish(),
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullish(), refusal: z.string().nullish() }),
        finish_reason: z.string().nullish(),
      }),
    )
    .min(1),
  usage: z.object({ prompt_tokens: z.number().nullish(), completion_tokens: z.number().nullish() }).nullish(),
});
type Completion = z.infer<typeof Completion>;

/**
 * The `openai` provider: Chat Completions against any OpenAI-compatible endpoint.
 *
 * - Output: strict `json_schema` built from the request's zod schema. An endpoint that rejects
 *   it (a 400/422 naming response_format/json_schema/schema) is asked again in JSON mode with
 *   the schema in the system message, and this provider instance stays in JSON mode. Either way
 *   the output is validated with zod; invalid output gets one repair request.
 * - Length: `max_tokens`, which every compatible server accepts (Ollama and LM Studio accept
 *   nothing else); for a model that rejects it (OpenAI's reasoning models) the request is sent
 *   again with `max_completion_tokens`, remembered per model.
 * - Faults: the SDK's retries are off; this code retries (bounded) with jittered exponential
 *   backoff or the endpoint's Retry-After, and enforces its own deadline per request.
 */
export function createOpenAIProvider(options: OpenAIProviderOptions): Provider {
  const client = new OpenAI({
    // Never read from process.env here: the entry point decides (STYLE.md).
    apiKey: options.apiKey ?? 'not-needed',
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs,
  });
  let jsonMode = false;
  const needsCompletionTokens = new Set<string>();
  const redact = (text: string) => {
    const key = options.apiKey;
    const clean = key && key.length >= 4 ? text.split(key).join('[redacted]') : text;
    return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS)}…` : clean;
  };

  async function generate<T>(request: GenerateRequest<T>, model: string): Promise<GenerateResult<T>> {
    const usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0 };
    const fail = (kind: LlmErrorKind, message: string, retryable: boolean) =>
      new LlmError(kind, redact(message), retryable, { ...usage });

    /** One completion, retried on transient faults; adapts to the endpoint's dialect on the way. */
    async function complete(conversation: ChatCompletionMessageParam[]): Promise<{ completion: Completion; raw: unknown }> {
      for (let attempt = 0; ; ) {
        request.signal?.throwIfAborted();
        const deadline = AbortSignal.timeout(options.timeoutMs);
        const signal = request.signal ? AbortSignal.any([request.signal, deadline]) : deadline;
        const asJson = jsonMode;
        const completionTokens = needsCompletionTokens.has(model);
        usage.requests++;
        let failure: Failure;
        try {
          // The SDK's own timeout stops counting once headers arrive (openai/openai-node#1825);
          // `signal` stays attached to the fetch until the body is read, so the deadline covers both.
          const raw: unknown = await client.chat.completions.create(body(conversation, asJson, completionTokens), { signal, maxRetries: 0 });
          const parsed = Completion.safeParse(raw);
          if (parsed.success) {
            usage.promptTokens += parsed.data.usage?.prompt_tokens ?? 0;
            usage.completionTokens += parsed.data.usage?.completion_tokens ?? 0;
            return { completion: parsed.data, raw };
          }
          failure = { kind: 'unavailable', retry: true, message: 'the endpoint answered with something that is not a chat completion' };
        } catch (error) {
          if (request.signal?.aborted) throw request.signal.reason;
          failure = classify(error, deadline.aborted ? options.timeoutMs : undefined);
        }
        if (failure.adapt === 'json_mode' && !asJson) {
          jsonMode = true;
          continue;
        }
        if (failure.adapt === 'max_completion_tokens' && !completionTokens) {
          needsCompletionTokens.add(model);
          continue;
        }
        if (!failure.retry) throw fail(failure.kind, failure.message, false);
        if (failure.retryAfterMs !== undefined && failure.retryAfterMs > options.retryAfterCapMs) {
          throw fail(
            failure.kind,
            `${failure.message}; the endpoint asked to retry after ${failure.retryAfterMs} ms, over the cap of ${options.retryAfterCapMs} ms`,
            true,
          );
        }
        if (attempt >= options.maxRetries) {
          throw fail(failure.kind, `${failure.message} (after ${attempt + 1} attempt${attempt ? 's' : ''})`, true);
        }
        await sleep(failure.retryAfterMs ?? backoff(attempt), request.signal);
        attempt++;
      }
    }

    function body(conversation: ChatCompletionMessageParam[], asJson: boolean, completionTokens: boolean): ChatCompletionCreateParamsNonStreaming {
      const [system, ...rest] = conversation;
      const messages: ChatCompletionMessageParam[] = asJson
        ? [{ role: 'system', content: `${system!.content as string}\n\n${jsonModeInstruction(request.schema.zod)}` }, ...rest]
        : conversation;
      return {
        model,
        messages,
        temperature: request.params.temperature,
        ...(completionTokens ? { max_completion_tokens: request.params.maxOutputTokens } : { max_tokens: request.params.maxOutputTokens }),
        response_format: asJson ? { type: 'json_object' } : jsonSchemaResponseFormat(request.schema.name, request.schema.zod),
      };
    }

    const conversation: ChatCompletionMessageParam[] = [
      { role: 'system', content: request.messages.system },
      { role: 'user', content: request.messages.user },
    ];
    let { completion, raw } = await complete(conversation);
    let outcome = readOutput(completion, request.schema.zod, request.params.maxOutputTokens);
    if (outcome.error) throw fail(outcome.error.kind, outcome.error.message, false);
    if (!outcome.ok) {
      // One repair: the model sees its own answer and what is wrong with it.
      ({ completion, raw } = await complete([
        ...conversation,
        { role: 'assistant', content: outcome.content },
        {
          role: 'user',
          content:
            `Your reply was not valid: ${outcome.problem}\n\n` +
            'Reply again with only the corrected JSON object, conforming to the required schema, and nothing else.',
        },
      ]));
      outcome = readOutput(completion, request.schema.zod, request.params.maxOutputTokens);
      if (outcome.error) throw fail(outcome.error.kind, outcome.error.message, false);
      if (!outcome.ok) throw fail('invalid_output', `the model's output is invalid after one repair: ${outcome.problem}`, true);
    }
    return { value: outcome.value, usage, model: completion.model || model, raw };
  }

  return {
    name: 'openai',
    defaultModel: options.defaultModel,
    chunkTokens: options.chunkTokens,
    countTokens,
    generate,
  };
}

type Output<V> =
  | { ok: true; value: V; error?: undefined }
  | { ok: false; content: string; problem: string; error?: undefined }
  /** Refusals and cut-offs: reported as such, since a repair would not help. */
  | { ok: false; error: { kind: LlmErrorKind; message: string } };

/** The value of a completion, or what is wrong with it. */
function readOutput<V>(completion: Completion, schema: z.ZodType<V>, maxOutputTokens: number): Output<V> {
  const choice = completion.choices[0]!;
  if (choice.message.refusal) return { ok: false, error: { kind: 'refusal', message: `the model refused: ${choice.message.refusal}` } };
  if (choice.finish_reason === 'content_filter') {
    return { ok: false, error: { kind: 'refusal', message: 'the endpoint withheld the output (finish_reason content_filter)' } };
  }
  if (choice.finish_reason === 'length') {
    return { ok: false, error: { kind: 'length', message: `the output was cut off at the limit of ${maxOutputTokens} output tokens` } };
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
  return { ok: false, content, problem: `it does not match the schema:\n${z.prettifyError(parsed.error).slice(0, MAX_PROBLEM_CHARS)}` };
}

interface Failure {
  kind: LlmErrorKind;
  retry: boolean;
  message: string;
  retryAfterMs?: number;
  /** The request can succeed in another form, which does not use up a retry. */
  adapt?: 'json_mode' | 'max_completion_tokens';
}

/** What a failed request means; `timedOutAfterMs` is set when our own deadline fired. */
function classify(error: unknown, timedOutAfterMs: number | undefined): Failure {
  if (timedOutAfterMs !== undefined) {
    return { kind: 'unavailable', retry: true, message: `timeout: no complete answer within ${timedOutAfterMs} ms` };
  }
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { kind: 'unavailable', retry: true, message: `${error.message}${cause}` };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    const message = `the endpoint answered ${error.message}`;
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      const retryAfterMs = retryAfter(error.headers);
      return { kind: status === 429 ? 'rate_limited' : 'unavailable', retry: true, message, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    const text = `${error.message} ${JSON.stringify(error.error ?? '')}`;
    if ((status === 400 || status === 422) && /max_tokens/.test(text) && /max_completion_tokens/.test(text)) {
      return { kind: 'bad_request', retry: false, message, adapt: 'max_completion_tokens' };
    }
    if ((status === 400 || status === 422) && /response_format|json_schema|schema/i.test(text)) {
      return { kind: 'bad_request', retry: false, message, adapt: 'json_mode' };
    }
    return { kind: 'bad_request', retry: false, message };
  }
  // A body cut off mid-read ("terminated"), a 200 that is not JSON, and the like: transient.
  return { kind: 'unavailable', retry: true, message: `the request failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** `retry-after-ms` (OpenAI's, in ms) or `retry-after` (seconds or an HTTP date), in ms. */
function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Exponential backoff with jitter: 50–100 % of 250 ms · 2^attempt, at most 8 s. */
function backoff(attempt: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function jsonModeInstruction(schema: z.ZodType): string {
  return (
    'Respond with one JSON object and nothing else. It must conform to this JSON schema:\n' +
    JSON.stringify(toStrictJsonSchema(schema))
  );
}

/** Some local models wrap JSON-mode output in a Markdown code fence despite instructions. */
function unwrapCodeFence(content: string): string {
  const match = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(content);
  return match ? match[1]! : content;
}
