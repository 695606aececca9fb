import type { Config } from '../config.js';
import { AppError } from '../errors.js';
import { createLocalProvider, type LocalProviderOptions } from './local.js';
import { createOpenAIProvider } from './openai/openai-provider.js';
import type { Provider } from './provider.js';

/** The providers one deployment can use, and the one a request that names none gets. */
export interface Providers {
  readonly default: Provider;
  /** Every usable provider, the default first. */
  readonly all: readonly Provider[];
  /** The provider called `name`, the default when `name` is undefined; any other name is 400 invalid_request. */
  get(name?: string): Provider;
  /** The provider called `name`, if this deployment has it (resuming a stored brief). */
  find(name: string): Provider | undefined;
}

/**
 * `auto` (the default) uses the openai provider when an endpoint or key is configured and the
 * offline analyst otherwise, so `npm start` works with nothing set. Beside an openai default the
 * offline analyst is always available too (no key, no cost), so a request can ask for it by name
 * and compare a model's reading with the analyst's. `LLM_PROVIDER=local` offers only the analyst.
 * `fetch` and `dispatcher` are the openai provider's transport: Node's entry passes undici's
 * (openai/node-dispatcher.ts); the Worker passes none and uses its runtime's fetch.
 */
export function selectProviders(
  config: Config,
  options: { fetch?: typeof fetch; dispatcher?: unknown; local?: LocalProviderOptions } = {},
): Providers {
  const configured = config.OPENAI_BASE_URL !== undefined || config.OPENAI_API_KEY !== undefined;
  const choice =
    config.LLM_PROVIDER === 'auto' ? (configured ? 'openai' : 'local') : config.LLM_PROVIDER;
  const local = createLocalProvider(options.local);
  if (choice === 'local') return providerSet([local]);
  const openai = createOpenAIProvider({
    ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
    // Local servers (Ollama, vLLM, llama.cpp) ignore the key, but the SDK requires one.
    apiKey: config.OPENAI_API_KEY ?? 'not-needed',
    defaultModel: config.LLM_MODEL,
    chunkTokens: config.CHUNK_TOKENS,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    retryAfterCapMs: config.LLM_RETRY_AFTER_CAP_MS,
    maxOutputBytes: config.MAX_MODEL_OUTPUT_BYTES,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  return providerSet([openai, local]);
}

/** A provider set over `list`, whose first provider is the default. */
export function providerSet(list: readonly Provider[]): Providers {
  const byName = new Map(list.map((provider) => [provider.name, provider]));
  return {
    default: list[0]!,
    all: list,
    get(name) {
      if (name === undefined) return list[0]!;
      const provider = byName.get(name);
      if (!provider)
        throw new AppError(
          'invalid_request',
          `Unknown provider "${name}"; this server has ${list.map((p) => p.name).join(' and ')}`,
        );
      return provider;
    },
    find: (name) => byName.get(name),
  };
}

/** The model a request gets from `provider`: the one named, or its default. The offline analyst has only its own. */
export function modelFor(provider: Provider, model: string | undefined): string {
  const chosen = model ?? provider.defaultModel;
  if (provider.name === 'local' && chosen !== provider.defaultModel) {
    throw new AppError(
      'invalid_request',
      `The local provider has one model, "${provider.defaultModel}"; got "${chosen}"`,
    );
  }
  return chosen;
}
