import { z } from 'zod';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** USD per million tokens: o1-pro's $600 for output is the dearest list price of 2026. */
const pricePerMillion = z
  .number({ error: 'must be a number of US dollars per million tokens' })
  .min(0, 'must be 0 or more (US dollars per million tokens)')
  .max(10_000, 'must be at most 10000 (US dollars per million tokens)');

/**
 * Every setting Parallax reads from its environment, with defaults that make `npm start`
 * work offline. Parsed once by the entry point; nothing else reads `process.env`.
 */

/**
 * 16k tokens a chunk: instructions are sent again with every chunk, so small chunks spend more
 * on instructions than on the document (brief@3 at 3k-token chunks sends 2.2 tokens per
 * document token; at 16k, 1.23: bench/token-overhead.ts). 16k plus instructions and a 2.5k
 * answer fits every current OpenAI model's context. A model with a smaller context window gets
 * smaller chunks (LLM_CONTEXT_TOKENS, src/pipeline/context-budget.ts).
 */
export const DEFAULT_CHUNK_TOKENS = 16_000;

export const ConfigSchema = z
  .object({
    PORT: int(0, 65_535).default(8787),
    HOST: z.string().min(1).default('127.0.0.1'),
    /** SQLite file (Node only); its folder is created at start. */
    DATABASE_PATH: z.string().min(1).default('./data/parallax.sqlite'),
    /** `auto` picks `openai` when an endpoint or key is configured, else `local`. */
    LLM_PROVIDER: z.enum(['auto', 'openai', 'local']).default('auto'),
    OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    /** Default model for the openai provider (a request may name another). */
    LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
    /** LLM calls in flight at once, across the whole process. */
    LLM_CONCURRENCY: int(1, 256).default(4),
    /**
     * Slots of LLM_CONCURRENCY no one brief (or perspectives run) may hold, and no evaluation's
     * brief takes: a brief that arrives while one other holds all it may starts at once. Each
     * costs a lone brief that share of its throughput; 0 (the default) keeps every slot usable
     * by one brief (src/pipeline/fair-limit.ts).
     */
    LLM_RESERVED_SLOTS: int(0, 255).default(0),
    /**
     * Workers only: LLM calls in flight at once across the whole deployment (every request, queue
     * consumer and isolate), counted in D1's llm_slots table (src/llm/slots.ts); 0: no such limit.
     * Node has one process, where LLM_CONCURRENCY is already the global limit.
     */
    LLM_GLOBAL_CONCURRENCY: int(0, 10_000).default(0),
    /**
     * Per-request deadline, from sending the request to the answer's last byte: waiting for
     * the first byte and a body that stalls after the headers included (on Node, undici's own
     * 300 s ceilings follow it: src/llm/openai/node-dispatcher.ts). Up to 30 minutes, for a
     * slow local model on a long chunk; each retry gets the whole deadline again.
     */
    LLM_TIMEOUT_MS: int(100, 1_800_000).default(120_000),
    /** Retries after the first attempt, on 408/409/429/5xx and connection errors. */
    LLM_MAX_RETRIES: int(0, 10).default(3),
    MAX_MODEL_OUTPUT_BYTES: int(10_000, 100_000_000).default(1_000_000),
    /** The longest Retry-After the service will wait; a longer one fails the call. */
    LLM_RETRY_AFTER_CAP_MS: int(0, 600_000).default(30_000),
    /** Chunk budget for the openai provider, in tokens of the model's tokenizer (see DEFAULT_CHUNK_TOKENS). */
    CHUNK_TOKENS: int(200, 200_000).default(DEFAULT_CHUNK_TOKENS),
    /**
     * The openai provider's context window in tokens, for every model it serves: each call's
     * instructions, data and answer fit in it (src/pipeline/context-budget.ts). Unset: the
     * model's own, by name (src/llm/context-windows.ts), 8,192 for a name the table lacks.
     */
    LLM_CONTEXT_TOKENS: int(1_024, 10_000_000).optional(),
    /**
     * Prices for cost estimates, USD per million tokens, as JSON by model name:
     * `{"gpt-4o-mini": {"input": 0.15, "output": 0.6}, "llama3.1": {"input": 0, "output": 0}}`.
     * Looked up before the built-in list prices (src/llm/prices.ts), with the same name matching.
     */
    LLM_PRICES: z
      .string()
      .transform((value, context) => {
        try {
          return JSON.parse(value) as unknown;
        } catch (error) {
          context.addIssue({
            code: 'custom',
            message: `is not JSON (${(error as Error).message}); write e.g. {"llama3.1": {"input": 0, "output": 0}}`,
          });
          return z.NEVER;
        }
      })
      .pipe(
        z.record(
          z.string().min(1),
          z.strictObject({ input: pricePerMillion, output: pricePerMillion }),
          {
            error: (issue) =>
              issue.code === 'invalid_type'
                ? 'must be a JSON object of model name → {"input": USD, "output": USD}'
                : issue.code === 'invalid_key'
                  ? 'a model name may not be empty'
                  : undefined,
          },
        ),
      )
      .default({}),
    /**
     * Most chunks (map calls) one brief may have: a longer document is refused (413) before
     * anything is stored. 200 lets a whole MAX_DOCUMENT_BYTES document of English text through at
     * the default CHUNK_TOKENS (7 MB chunks into 154 at 16,000 tokens).
     */
    MAX_CHUNKS_PER_BRIEF: int(1, 100_000).default(200),
    /** Most briefs (documents × distinct prompt versions) one evaluation may start. */
    MAX_EVAL_BRIEFS: int(1, 1_000_000).default(1_000),
    /** Text repeated from the previous chunk, as context at the seam. */
    CHUNK_OVERLAP_TOKENS: int(0, 10_000).default(120),
    /** Largest accepted request body, in bytes. */
    MAX_DOCUMENT_BYTES: int(1_000, 100_000_000).default(8 * 1024 * 1024),
    /** Deepest element nesting an HTML page may have, checked before it is parsed (413); see src/ingest/html.ts. */
    MAX_HTML_DEPTH: int(10, 10_000).default(32),
    /** Most elements (comments and character references count) an HTML page may have, checked before parsing (413). */
    MAX_HTML_ELEMENTS: int(100, 10_000_000).default(2_000),
    /** Most pages a PDF may have, read before any text is extracted (413). */
    MAX_PDF_PAGES: int(1, 100_000).default(500),
    /** Most characters of text extracted from a PDF: extraction stops there and the PDF is refused (413). */
    MAX_EXTRACTED_CHARS: int(1_000, 1_000_000_000).default(5_000_000),
    /** Prompt used when a request names none. */
    DEFAULT_PROMPT: z.string().min(1).default('brief@latest'),
    /** How long a POST waits for a new brief before answering 202 (`?wait=` overrides). */
    BRIEF_WAIT_SECONDS: int(0, 600).default(60),
    /** A running brief's lease: renewed while it runs; once lapsed, another process resumes it. */
    BRIEF_LEASE_MS: int(200, 600_000).default(30_000),
    /**
     * Workers with a queue only: how many times a brief is started (its first run, the queue's
     * retries after an LLM outage, resumes after its lease lapsed) before it is marked failed.
     */
    BRIEF_MAX_ATTEMPTS: int(1, 20).default(4),
    /** How often a request waiting on a brief that another process (or Worker request) runs re-reads it. */
    BRIEF_POLL_MS: int(20, 60_000).default(250),
    /** A comment line on an idle event stream, so proxies that close quiet connections keep it open. */
    EVENTS_KEEPALIVE_MS: int(10, 600_000).default(15_000),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    /** Comma-separated bearer tokens; when set, every write route needs one. */
    API_TOKENS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((token) => token.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.string().min(16, 'each token needs at least 16 characters')))
      .default([]),
    /** Requests per minute per token (or per client address without one); 0 means no limit. */
    RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(0),
    /**
     * Web origins whose pages may call /v1 (CORS): comma-separated `scheme://host[:port]`, or `*`
     * for any. Unset: no CORS headers at all, so browsers keep other origins' pages out.
     */
    CORS_ORIGINS: z
      .string()
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(
        z
          .array(
            z.string().refine((origin) => origin === '*' || isOrigin(origin), {
              error: (issue) =>
                `"${String(issue.input)}" is not an origin (scheme://host[:port], no path), nor *`,
            }),
          )
          .refine((origins) => !origins.includes('*') || origins.length === 1, {
            message: '* allows every origin: give it alone, not beside a list',
          }),
      )
      .default([]),
  })
  .superRefine((config, context) => {
    if (config.LLM_RESERVED_SLOTS >= config.LLM_CONCURRENCY) {
      context.addIssue({
        code: 'custom',
        path: ['LLM_RESERVED_SLOTS'],
        message: `must be less than LLM_CONCURRENCY (${config.LLM_CONCURRENCY}): one brief needs a slot of its own`,
      });
    }
    if (config.LLM_PROVIDER === 'openai' && !config.OPENAI_BASE_URL && !config.OPENAI_API_KEY) {
      context.addIssue({
        code: 'custom',
        path: ['LLM_PROVIDER'],
        message:
          'is "openai" but neither OPENAI_BASE_URL nor OPENAI_API_KEY is set (set one, or use LLM_PROVIDER=local)',
      });
    }
  });
export type Config = z.infer<typeof ConfigSchema>;

/** Parses the environment; a bad value throws an Error whose message names the variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  // An empty variable means "unset", as in most shells' `FOO= npm start`.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = ConfigSchema.safeParse(present);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.')}: ${issue.message}`,
  );
  throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
}

/** `https://app.example.org` or `http://localhost:5173`: what a browser sends as Origin. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return /^https?:$/.test(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
