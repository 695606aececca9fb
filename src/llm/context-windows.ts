/**
 * Context windows (input and answer together, in tokens) of common models, by name prefix.
 * What a model was trained for, not what a server gives it: Ollama serves a model with its own
 * context length (2,048 or 4,096 tokens unless configured), so a deployment on such a server
 * sets LLM_CONTEXT_TOKENS to what the server uses.
 */
const KNOWN_CONTEXT_WINDOWS: Record<string, number> = {
  // OpenAI
  'gpt-5': 400_000,
  'gpt-4.1': 1_047_576,
  'gpt-4.5': 128_000,
  'gpt-4o': 128_000,
  'chatgpt-4o': 128_000,
  'gpt-4-turbo': 128_000,
  'gpt-4-1106': 128_000,
  'gpt-4-0125': 128_000,
  'gpt-4-32k': 32_768,
  'gpt-4': 8_192,
  'gpt-3.5-turbo': 16_385,
  'gpt-3.5-turbo-instruct': 4_096,
  'gpt-oss': 131_072,
  o1: 200_000,
  'o1-mini': 128_000,
  'o1-preview': 128_000,
  o3: 200_000,
  'o4-mini': 200_000,
  // Open-weight models, as Ollama names them (llama3.1:8b) and as Hugging Face does
  // (meta-llama/Llama-3.1-8B-Instruct: the part after the last slash is matched).
  'llama3.1': 131_072,
  'llama3.2': 131_072,
  'llama3.3': 131_072,
  llama3: 8_192,
  llama2: 4_096,
  'llama-3.1': 131_072,
  'llama-3.2': 131_072,
  'llama-3.3': 131_072,
  'llama-3': 8_192,
  'llama-2': 4_096,
  'meta-llama-3.1': 131_072,
  'meta-llama-3': 8_192,
  codellama: 16_384,
  qwen2: 32_768,
  'qwen2.5': 32_768,
  qwen3: 32_768,
  mistral: 32_768,
  'mistral-nemo': 131_072,
  mixtral: 32_768,
  gemma: 8_192,
  gemma2: 8_192,
  'gemma-2': 8_192,
  phi3: 4_096,
  phi4: 16_384,
  'deepseek-r1': 131_072,
  'deepseek-chat': 65_536,
  'deepseek-reasoner': 65_536,
};

/**
 * The window assumed for a model the table does not know: 32,768 tokens, the smallest window of
 * current chat models (Qwen 2.5, Mistral; the hosted ones have more). The older models with
 * less (Llama 2 and 3, Gemma 2, Phi-3, GPT-4) are in the table by name; any other model with
 * less, or a server that gives a model less than its own (Ollama's `num_ctx`), needs
 * LLM_CONTEXT_TOKENS.
 */
export const DEFAULT_CONTEXT_TOKENS = 32_768;

/**
 * The context window of `model` from the table: the longest prefix of the name that matches up
 * to a non-alphanumeric character (`gpt-4o-mini` is `gpt-4o`; `llama3.1:8b` is `llama3.1`, not
 * `llama3`), or undefined. Case does not matter; a router's or a fine-tune's decoration
 * (`openai/gpt-4o`, `ft:gpt-4o-mini:org::id`) is ignored.
 */
export function knownContextWindow(model: string): number | undefined {
  const name = (model.split('/').pop() ?? '').toLowerCase().replace(/^ft:/, '');
  let best: string | undefined;
  for (const prefix of Object.keys(KNOWN_CONTEXT_WINDOWS)) {
    if (!name.startsWith(prefix) || /[a-z0-9]/.test(name.charAt(prefix.length))) continue;
    if (!best || prefix.length > best.length) best = prefix;
  }
  return best === undefined ? undefined : KNOWN_CONTEXT_WINDOWS[best];
}

/**
 * The context window one call to `model` through `provider` must fit in: LLM_CONTEXT_TOKENS
 * when set, else the table's, else DEFAULT_CONTEXT_TOKENS. The offline analyst (`local`)
 * reads no prompt and has none: Infinity.
 */
export function contextWindow(
  provider: string,
  model: string,
  configured: number | undefined,
): number {
  if (provider === 'local') return Number.POSITIVE_INFINITY;
  return configured ?? knownContextWindow(model) ?? DEFAULT_CONTEXT_TOKENS;
}
