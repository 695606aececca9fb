import type { Config } from '../config.js';
import { createLocalProvider } from './local/index.js';
import { createOpenAIProvider } from './openai.js';
import type { Provider } from './provider.js';

/**
 * `auto` (the default) uses the openai provider when an endpoint or key is configured and the
 * offline analyst otherwise, so `npm start` works with nothing set.
 */
export function selectProvider(config: Config, fetchImpl?: typeof fetch): Provider {
  const configured = config.OPENAI_BASE_URL !== undefined || config.OPENAI_API_KEY !== undefined;
  const choice = config.LLM_PROVIDER === 'auto' ? (configured ? 'openai' : 'local') : config.LLM_PROVIDER;
  if (choice === 'local') return createLocalProvider();
  return createOpenAIProvider({
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    // Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the SDK requires one.
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    defaultModel: config.LLM_MODEL,
    chunkTokens: config.CHUNK_TOKENS,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    retryAfterCapMs: config.LLM_RETRY_AFTER_CAP_MS,
    ...(fetchImpl ? { fetch: fetchImpl } : {}),
  });
}
