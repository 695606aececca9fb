import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import {
  LlmError,
  type GenerateRequest,
  type GenerateResult,
  type LlmErrorKind,
  type Provider,
  type Usage,
} from '../provider.js';
import { countTokens } from '../tokens.js';
import { Completion } from './chat-completion.js';
import { classify, type Failure } from './classify-error.js';
import { jsonModeInstruction, jsonSchemaResponseFormat } from './json-schema.js';
import {
  bodyLimit,
  bodyTooLarge,
  limitBodies,
  readOutput,
  type OutputLimits,
} from './read-output.js';
import { backoff, sleep } from './retry.js';

/** How to reach an OpenAI-compatible endpoint, and how patiently. */
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
  /**
   * MAX_MODEL_OUTPUT_BYTES: the most UTF-8 bytes a model's answer may take. A larger one fails
   * the call as invalid output, unrepaired and unretried, before anything caches it; the HTTP
   * body is cut off at `bodyLimit` of it.
   */
  maxOutputBytes: number;
  /** Transport, for tests and runtimes without a global fetch. */
  fetch?: typeof fetch;
  /**
   * An undici dispatcher for every request (`fetchOptions.dispatcher`), with the `fetch` of the
   * same undici: on Node, one whose timeouts follow `timeoutMs` (node-dispatcher.ts).
   */
  dispatcher?: unknown;
}

const MAX_ERROR_CHARS = 500;

/** What one provider instance knows about its endpoint, learnt across calls. */
interface Endpoint {
  client: OpenAI;
  options: OpenAIProviderOptions;
  /** Set once the endpoint rejects a strict json_schema: JSON mode from then on. */
  jsonMode: boolean;
  /** Models that reject `max_tokens` and are sent `max_completion_tokens` instead. */
  completionTokenModels: Set<string>;
}

/** One `generate` call: what it asks of which model, and the usage it has run up. */
interface Call<T> {
  request: GenerateRequest<T>;
  model: string;
  usage: Usage;
  /** The error to throw, with the usage so far and the API key redacted from message and detail. */
  fail(kind: LlmErrorKind, message: string, retryable: boolean, detail?: string): LlmError;
}

/** The form of one request: JSON mode or a strict json_schema, and which length parameter. */
interface Dialect {
  jsonMode: boolean;
  completionTokens: boolean;
}

/** A chat completion, parsed, and the body as the endpoint sent it. */
interface Answer {
  completion: Completion;
  raw: unknown;
}

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
  const endpoint: Endpoint = {
    client: new OpenAI({
      // Never read from process.env here: the entry point decides (STYLE.md).
      apiKey: options.apiKey ?? 'not-needed',
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      // The Node transport (a dispatcher given) is undici's fetch: its declared lengths hold.
      fetch: limitBodies(options.fetch, bodyLimit(options.maxOutputBytes), {
        trustLength: options.dispatcher !== undefined,
      }),
      ...(options.dispatcher ? { fetchOptions: { dispatcher: options.dispatcher } } : {}),
      maxRetries: 0,
      timeout: options.timeoutMs,
    }),
    options,
    jsonMode: false,
    completionTokenModels: new Set(),
  };

  async function generate<T>(
    request: GenerateRequest<T>,
    model: string,
  ): Promise<GenerateResult<T>> {
    const usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0 };
    const fail = (kind: LlmErrorKind, message: string, retryable: boolean, detail?: string) =>
      new LlmError(
        kind,
        redact(message, options.apiKey),
        retryable,
        { ...usage },
        detail === undefined ? undefined : redact(detail, options.apiKey),
      );
    const call: Call<T> = { request, model, usage, fail };
    const { zod } = request.schema;
    const limits: OutputLimits = {
      maxOutputTokens: request.params.maxOutputTokens,
      maxOutputBytes: options.maxOutputBytes,
    };
    const conversation: ChatCompletionMessageParam[] = [
      { role: 'system', content: request.messages.system },
      { role: 'user', content: request.messages.user },
    ];
    let { completion, raw } = await complete(endpoint, call, conversation);
    let outcome = readOutput(completion, zod, limits);
    // Refusals, cut-offs and over-size answers: no repair (see readOutput), no retry.
    if (outcome.error)
      throw fail(outcome.error.kind, outcome.error.message, false, outcome.error.detail);
    if (!outcome.ok) {
      // One repair: the model sees its own answer and what is wrong with it.
      ({ completion, raw } = await complete(endpoint, call, [
        ...conversation,
        { role: 'assistant', content: outcome.content },
        {
          role: 'user',
          content:
            `Your reply was not valid: ${outcome.problem}\n\n` +
            'Reply again with only the corrected JSON object, conforming to the required ' +
            'schema, and nothing else.',
        },
      ]));
      outcome = readOutput(completion, zod, limits);
      if (outcome.error)
        throw fail(outcome.error.kind, outcome.error.message, false, outcome.error.detail);
      if (!outcome.ok) {
        const message = `the model's output is invalid after one repair: ${outcome.reason}`;
        throw fail('invalid_output', message, true, outcome.problem);
      }
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

/** One completion, retried on transient faults; adapts to the endpoint's dialect on the way. */
async function complete<T>(
  endpoint: Endpoint,
  call: Call<T>,
  conversation: ChatCompletionMessageParam[],
): Promise<Answer> {
  const { maxRetries, retryAfterCapMs } = endpoint.options;
  for (let attempt = 0; ; ) {
    const dialect: Dialect = {
      jsonMode: endpoint.jsonMode,
      completionTokens: endpoint.completionTokenModels.has(call.model),
    };
    const outcome = await send(endpoint, call, conversation, dialect);
    if ('completion' in outcome) return outcome;
    const failure: Failure = outcome;
    // Another form of the request does not use up a retry.
    if (failure.adapt === 'json_mode' && !dialect.jsonMode) {
      endpoint.jsonMode = true;
      continue;
    }
    if (failure.adapt === 'max_completion_tokens' && !dialect.completionTokens) {
      endpoint.completionTokenModels.add(call.model);
      continue;
    }
    const { detail } = failure;
    if (!failure.retry) throw call.fail(failure.kind, failure.message, false, detail);
    if (failure.retryAfterMs !== undefined && failure.retryAfterMs > retryAfterCapMs) {
      const wait =
        `the endpoint asked to retry after ${failure.retryAfterMs} ms, ` +
        `over the cap of ${retryAfterCapMs} ms`;
      throw call.fail(failure.kind, `${failure.message}; ${wait}`, true, detail);
    }
    if (attempt >= maxRetries) {
      const attempts = `${attempt + 1} attempt${attempt ? 's' : ''}`;
      throw call.fail(failure.kind, `${failure.message} (after ${attempts})`, true, detail);
    }
    await sleep(failure.retryAfterMs ?? backoff(attempt), call.request.signal);
    attempt++;
  }
}

/** One request under our own deadline: its completion, or why there is none. */
async function send<T>(
  endpoint: Endpoint,
  call: Call<T>,
  conversation: ChatCompletionMessageParam[],
  dialect: Dialect,
): Promise<Answer | Failure> {
  const { signal: callerSignal } = call.request;
  callerSignal?.throwIfAborted();
  const { timeoutMs } = endpoint.options;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
  call.usage.requests++;
  try {
    // The SDK's own timeout stops counting once headers arrive (openai/openai-node#1825);
    // `signal` stays attached to the fetch until the body is read, so the deadline covers both.
    const raw: unknown = await endpoint.client.chat.completions.create(
      body(call, conversation, dialect),
      { signal, maxRetries: 0 },
    );
    const parsed = Completion.safeParse(raw);
    if (!parsed.success) {
      const message = 'the endpoint answered with something that is not a chat completion';
      return { kind: 'unavailable', retry: true, message };
    }
    call.usage.promptTokens += parsed.data.usage?.prompt_tokens ?? 0;
    call.usage.completionTokens += parsed.data.usage?.completion_tokens ?? 0;
    return { completion: parsed.data, raw };
  } catch (error) {
    if (callerSignal?.aborted) throw callerSignal.reason;
    const tooLarge = bodyTooLarge(error);
    if (tooLarge) {
      // Not retried: another answer would be as large, and billed again.
      const message =
        `the endpoint's response is over ${tooLarge.limit} bytes, more than an answer within ` +
        `MAX_MODEL_OUTPUT_BYTES (${endpoint.options.maxOutputBytes} bytes) can take`;
      return { kind: 'invalid_output', retry: false, message };
    }
    return classify(error, deadline.aborted ? timeoutMs : undefined);
  }
}

/** The request body of `conversation` in `dialect`. */
function body<T>(
  call: Call<T>,
  conversation: ChatCompletionMessageParam[],
  dialect: Dialect,
): ChatCompletionCreateParamsNonStreaming {
  const { schema, params } = call.request;
  const [system, ...rest] = conversation;
  const messages: ChatCompletionMessageParam[] = dialect.jsonMode
    ? [
        {
          role: 'system',
          content: `${system!.content as string}\n\n${jsonModeInstruction(schema.zod)}`,
        },
        ...rest,
      ]
    : conversation;
  return {
    model: call.model,
    messages,
    temperature: params.temperature,
    ...(dialect.completionTokens
      ? { max_completion_tokens: params.maxOutputTokens }
      : { max_tokens: params.maxOutputTokens }),
    response_format: dialect.jsonMode
      ? { type: 'json_object' }
      : jsonSchemaResponseFormat(schema.name, schema.zod),
  };
}

/** `text` without the API key, cut to MAX_ERROR_CHARS. */
function redact(text: string, apiKey: string | undefined): string {
  const clean = apiKey && apiKey.length >= 4 ? text.split(apiKey).join('[redacted]') : text;
  return clean.length > MAX_ERROR_CHARS ? `${clean.slice(0, MAX_ERROR_CHARS)}…` : clean;
}
