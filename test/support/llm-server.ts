import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ModelBrief } from '../../src/briefs/schema.js';

/**
 * A small OpenAI-compatible Chat Completions server for tests, on a free loopback port.
 *
 * By default it is a deterministic fake model that answers every call with a valid
 * `ModelBrief` whose quotes are verbatim sentences of the fenced document (map calls) or the
 * merged partial briefs (reduce calls). Tests script it per call with `handler`, inject
 * faults with `enqueue`, and inspect what it received in `calls`.
 */
export interface LlmServer {
  /** Base URL for the OpenAI client, ending in `/v1`. */
  readonly url: string;
  /** Every request received, in arrival order (including rejected and faulted ones). */
  readonly calls: LlmCall[];
  /** Requests received and not yet answered (or abandoned by the client). */
  readonly inFlight: number;
  /** The most requests in flight at once since start or the last `reset()`. */
  readonly maxInFlight: number;
  /** Delay before each answer, in ms. */
  latencyMs: number;
  /** Answer 400 to `response_format: json_schema`, like an endpoint without structured outputs. */
  rejectJsonSchema: boolean;
  /** Scripts the model: a brief (sent as JSON), raw content, or undefined for the default fake. */
  handler: ((body: ChatRequest) => ModelBrief | string | undefined) | undefined;
  /** Faults consumed one per request, in order, before the model is asked. */
  enqueue(...faults: LlmFault[]): void;
  /** Clears calls, faults and maxInFlight, drops held sockets, and restores the start options. */
  reset(): void;
  close(): Promise<void>;
}

export interface LlmCall {
  /** The parsed JSON request body. */
  body: ChatRequest;
  headers: IncomingHttpHeaders;
  /**
   * Which stage the call is, from the fence in its user message (`undefined` without one).
   * Match on this rather than on the whole body: the system message describes the fence too.
   */
  stage: 'map' | 'reduce' | undefined;
  /** Arrival time, `performance.now()` clock (ms). */
  time: number;
}

export type LlmFault =
  /** An HTTP error answer (e.g. 429 with Retry-After, 500, 503). */
  | { status: number; headers?: Record<string, string>; body?: unknown }
  /** Destroy the socket without answering. */
  | 'reset'
  /** Never answer. */
  | 'hang'
  /** Send 200 headers and the start of a body, then nothing more. */
  | 'stall'
  /** A 200 whose assistant content is exactly this (truncated or schema-violating JSON…). */
  | { content: string; finishReason?: string }
  /** A 200 with a refusal instead of content. */
  | { refusal: string };

export interface LlmServerOptions {
  latencyMs?: number;
  rejectJsonSchema?: boolean;
  handler?: LlmServer['handler'];
}

/** The request fields the fake reads; everything else is kept as sent. */
export interface ChatRequest {
  model?: string;
  messages?: { role: string; content: string | null }[];
  response_format?: {
    type: string;
    json_schema?: { name: string; strict?: boolean; schema: unknown };
  };
  [key: string]: unknown;
}

export async function startLlmServer(options: LlmServerOptions = {}): Promise<LlmServer> {
  const calls: LlmCall[] = [];
  const faults: LlmFault[] = [];
  // Sockets of requests we are deliberately not finishing ('hang', 'stall'): destroyed on reset and close.
  const held = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let completions = 0;

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      response.on('close', () => inFlight--);
      let body: ChatRequest;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
      } catch {
        return sendJson(response, 400, {
          error: { message: 'request body is not JSON', type: 'invalid_request_error' },
        });
      }
      calls.push({ body, headers: request.headers, stage: stageOf(body), time: performance.now() });
      if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
        return sendJson(response, 404, {
          error: {
            message: `no route ${request.method} ${request.url}`,
            type: 'invalid_request_error',
          },
        });
      }
      if (llm.rejectJsonSchema && body.response_format?.type === 'json_schema') {
        // What an OpenAI-compatible server without structured outputs says (llama.cpp, older vLLM/Ollama).
        return sendJson(response, 400, {
          error: {
            message: "response_format type 'json_schema' is not supported",
            type: 'invalid_request_error',
            param: 'response_format',
          },
        });
      }
      const fault = faults.shift();
      const answer = () => respond(response, request.socket, body, fault);
      if (llm.latencyMs > 0) setTimeout(answer, llm.latencyMs);
      else answer();
    });
  });

  function respond(
    response: ServerResponse,
    socket: Socket,
    body: ChatRequest,
    fault: LlmFault | undefined,
  ): void {
    if (response.destroyed) return;
    if (fault === 'reset') {
      socket.destroy();
      return;
    }
    if (fault === 'hang') {
      held.add(socket);
      return;
    }
    if (fault === 'stall') {
      held.add(socket);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"id":"chatcmpl-stalled","object":"chat.completion","choices":[');
      return;
    }
    if (fault && 'status' in fault) {
      const error = fault.body ?? {
        error: { message: `injected ${fault.status}`, type: 'server_error' },
      };
      sendJson(response, fault.status, error, fault.headers);
      return;
    }
    let message: { role: 'assistant'; content: string | null; refusal: string | null };
    let finishReason = 'stop';
    if (fault && 'refusal' in fault) {
      message = { role: 'assistant', content: null, refusal: fault.refusal };
    } else if (fault) {
      message = { role: 'assistant', content: fault.content, refusal: null };
      finishReason = fault.finishReason ?? 'stop';
    } else {
      const scripted = llm.handler?.(body);
      const content =
        typeof scripted === 'string' ? scripted : JSON.stringify(scripted ?? fakeModel(body));
      message = { role: 'assistant', content, refusal: null };
    }
    const promptChars = (body.messages ?? []).reduce((sum, m) => sum + (m.content?.length ?? 0), 0);
    const promptTokens = Math.ceil(promptChars / 4);
    const completionTokens = Math.ceil((message.content ?? message.refusal ?? '').length / 4);
    sendJson(response, 200, {
      id: `chatcmpl-test-${++completions}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model ?? 'unknown',
      choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    });
  }

  function dropHeld(): void {
    for (const socket of held) socket.destroy();
    held.clear();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const llm: LlmServer = {
    url: `http://127.0.0.1:${port}/v1`,
    calls,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    latencyMs: options.latencyMs ?? 0,
    rejectJsonSchema: options.rejectJsonSchema ?? false,
    handler: options.handler,
    enqueue(...more) {
      faults.push(...more);
    },
    reset() {
      calls.length = 0;
      faults.length = 0;
      dropHeld();
      maxInFlight = inFlight;
      llm.latencyMs = options.latencyMs ?? 0;
      llm.rejectJsonSchema = options.rejectJsonSchema ?? false;
      llm.handler = options.handler;
    },
    async close() {
      dropHeld();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return llm;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

// ---------------------------------------------------------------------------------------------
// The fake model. It reads the fenced data of the prompt (the format of src/prompts/render.ts:
// `-----BEGIN DOCUMENT <marker>-----` … `-----END DOCUMENT <marker>-----`, or PARTIALS for
// reduce calls, the same 32-hex marker on both lines) and answers deterministically.

const FENCED =
  /^-----BEGIN (DOCUMENT|PARTIALS) ([0-9a-f]{32})-----\n([\s\S]*?)\n-----END \1 \2-----$/m;

function fencedData(body: ChatRequest): RegExpExecArray | null {
  const user = (body.messages ?? []).find(
    (m) => m.role === 'user' && typeof m.content === 'string' && FENCED.test(m.content),
  );
  return user ? FENCED.exec(user.content!) : null;
}

function stageOf(body: ChatRequest): LlmCall['stage'] {
  const kind = fencedData(body)?.[1];
  return kind === 'DOCUMENT' ? 'map' : kind === 'PARTIALS' ? 'reduce' : undefined;
}

/** The default answer: a map brief of a document, a merge of partial briefs, or an empty brief. */
export function fakeModel(body: ChatRequest): ModelBrief {
  const match = fencedData(body);
  if (match?.[1] === 'DOCUMENT') return mapBrief(match[3]!);
  if (match?.[1] === 'PARTIALS') {
    let partials: ModelBrief[] = [];
    try {
      partials = JSON.parse(match[3]!) as ModelBrief[];
    } catch {
      // Not the fake's job to judge: an unparsable partials list merges to an empty brief.
    }
    return reduceBriefs(partials);
  }
  return {
    headline: 'No document',
    summary: 'The request carried no fenced document.',
    keyPoints: [],
    stakeholders: [],
    counterPerspectives: [],
  };
}

/** Sentences as exact substrings of `text` (never crossing a line break), in order. */
function sentences(text: string): string[] {
  const found = (text.match(/[^\s.!?][^.!?\n]*[.!?]+["”’)]?/g) ?? []).map((s) => s.trimEnd());
  if (found.length > 0) return found;
  const line = text
    .split('\n')
    .find((l) => l.trim())
    ?.trim();
  return line ? [line.slice(0, 120).trimEnd()] : [];
}

function mapBrief(text: string): ModelBrief {
  const quotes = sentences(text).slice(0, 2);
  const first = quotes[0] ?? '';
  const words = first.split(/\s+/).filter(Boolean);
  const actor = /^((?:The |the )?[A-Z][a-z]+(?: [A-Z][a-z]+)*)/.exec(first)?.[1] ?? 'The author';
  const noted = quotes[1] ?? first;
  return {
    headline: words.slice(0, 8).join(' ') || 'Empty document',
    summary: first ? `The document states: ${first}` : 'The document is empty.',
    keyPoints: quotes.map((quote) => ({
      text: `The document states: ${quote}`,
      citations: [{ quote }],
    })),
    stakeholders: [
      { name: actor, role: 'Party quoted in the document', representedInDocument: true },
    ],
    counterPerspectives: noted
      ? [
          {
            kind: /\d/.test(noted) ? 'unverified_figure' : 'missing_perspective',
            claim: noted,
            perspective: 'An independent source',
            note: 'The document gives no independent evidence for this statement.',
            citations: [{ quote: noted }],
          },
        ]
      : [],
  };
}

function reduceBriefs(partials: ModelBrief[]): ModelBrief {
  const stakeholders = new Map<string, ModelBrief['stakeholders'][number]>();
  for (const partial of partials)
    for (const s of partial.stakeholders ?? [])
      if (!stakeholders.has(s.name)) stakeholders.set(s.name, s);
  return {
    headline: partials[0]?.headline ?? 'Empty document',
    summary: partials
      .map((p) => p.summary)
      .join(' ')
      .slice(0, 2_000),
    keyPoints: partials.flatMap((p) => p.keyPoints ?? []).slice(0, 8),
    stakeholders: [...stakeholders.values()],
    counterPerspectives: partials.flatMap((p) => p.counterPerspectives ?? []).slice(0, 8),
  };
}
