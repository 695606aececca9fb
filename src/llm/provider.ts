import type { z } from 'zod';
import type { BriefUsage, ModelBrief } from '../briefs/schema.js';
import type { PromptParams } from '../prompts/prompt.js';

/**
 * The provider interface (v1): one call of one pipeline stage.
 *
 * An LLM provider reads `messages` (the prompt version's templates, rendered). The offline
 * analyst cannot follow prose instructions, so it reads `input`, the same data the messages
 * were rendered from, and lets `params` steer it. Both return the same `ModelBrief` shape.
 */
export interface GenerateRequest<T> {
  stage: Stage;
  messages: Messages;
  /** Output schema; `name` labels it for json_schema response formats. */
  schema: { name: string; zod: z.ZodType<T> };
  params: PromptParams;
  input: StageInput;
  signal?: AbortSignal;
}

export type Stage = 'map' | 'reduce' | 'perspectives';

export interface Messages {
  system: string;
  user: string;
}

/**
 * What a stage reads: one chunk of the document, the partial briefs of earlier calls, or one
 * claim of a document with the passages of another document retrieved for it (never the whole
 * of either document).
 */
export type StageInput =
  | {
      stage: 'map';
      title: string | null;
      chunk: ChunkInput;
      /**
       * How many chunks the document has; undefined for a call started while it was still being
       * cut (there are several then), which only a map template without {{chunkCount}} allows.
       */
      chunkCount: number | undefined;
    }
  | { stage: 'reduce'; title: string | null; partials: ModelBrief[]; final: boolean }
  | PerspectivesInput;

export interface PerspectivesInput {
  stage: 'perspectives';
  /** The claim's document's title, and the other document's. */
  title: string | null;
  otherTitle: string | null;
  claim: PassageInput;
  /** The other document's passages most likely to address the claim, best first. */
  passages: PassageInput[];
}

/** A stretch of a normalized document: its text and where it is. */
export interface PassageInput {
  text: string;
  start: number;
  end: number;
}

export interface ChunkInput {
  index: number;
  text: string;
  /** Character offsets of `text` in the normalized document. */
  start: number;
  end: number;
}

/** What one provider call cost: HTTP requests made (retries and repairs included) and tokens. */
export type Usage = Pick<BriefUsage, 'requests' | 'promptTokens' | 'completionTokens'>;

export interface GenerateResult<T> {
  value: T;
  usage: Usage;
  /** The model that answered, as the endpoint reports it. */
  model: string;
  /** The raw response body, for debugging; never shown to clients. */
  raw?: unknown;
}

export interface Provider {
  /** `openai` or `local`: recorded in provenance and in cache keys. */
  readonly name: string;
  /** The model used when a request does not name one. */
  readonly defaultModel: string;
  /** Token budget of one chunk: a document within it is briefed in a single call. */
  readonly chunkTokens: number;
  /** Counts tokens as this provider's model would (a real tokenizer, or an estimate). */
  countTokens(text: string, model: string): number;
  generate<T>(request: GenerateRequest<T>, model: string): Promise<GenerateResult<T>>;
}

/** Why a provider call failed; `retryable` tells the caller whether trying again may help. */
export type LlmErrorKind =
  | 'unavailable' // connection refused/reset, 5xx after retries, timeouts
  | 'rate_limited' // 429 after retries
  | 'invalid_output' // unparsable or schema-violating output, also after the repair attempt
  | 'refusal' // the model declined
  | 'length' // output cut off at the token limit
  | 'unauthorized' // 401/403: the endpoint refused the credentials (never retried)
  | 'bad_request'; // the endpoint rejected the request (4xx other than 401/403/408/409/429)

/**
 * A failed provider call. `message` is our own wording (it reaches clients through the stored
 * failure); what the endpoint said goes in `detail`, for server logs only.
 */
export class LlmError extends Error {
  override readonly name = 'LlmError';
  /**
   * The endpoint's own text (an error body, a refusal, a parser's message), for the server log.
   * Not enumerable, so serializing the error leaves it out.
   */
  declare readonly detail?: string;
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly retryable: boolean,
    readonly usage: Usage = { requests: 0, promptTokens: 0, completionTokens: 0 },
    detail?: string,
  ) {
    super(message);
    if (detail !== undefined) {
      Object.defineProperty(this, 'detail', { value: detail, enumerable: false });
    }
  }
}
