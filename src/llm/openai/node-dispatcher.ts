import { Agent, fetch as undiciFetch } from 'undici';

/**
 * How much longer than LLM_TIMEOUT_MS undici waits for headers or the next body bytes, so that
 * Parallax's own deadline (openai-provider.ts), which fails the call with a clean timeout
 * message and retries it, always fires first. Generous: a loaded event loop runs timers late.
 */
export const TRANSPORT_MARGIN_MS = 5_000;

/** The fetch the openai provider sends with, and the connection pool it sends through. */
export interface LlmTransport {
  fetch: typeof fetch;
  dispatcher: Agent;
}

/**
 * Node only (the Worker never imports this module, nor undici): the transport for LLM calls.
 *
 * Node's fetch gives up waiting for response headers, or between body chunks, after undici's
 * default 300 s, whatever LLM_TIMEOUT_MS says; a slow local model (Ollama, llama.cpp on a CPU)
 * that takes longer to answer a long chunk would fail at 300 s with "fetch failed". This pool
 * waits `timeoutMs` plus TRANSPORT_MARGIN_MS instead, so LLM_TIMEOUT_MS governs the whole call.
 *
 * The fetch is undici's own, not Node's: a dispatcher only works with the fetch of the same
 * undici (Node 20 and 22 bundle undici 6, Node 26 undici 8, whose dispatch protocols differ),
 * which is also what openai-node documents for `fetchOptions.dispatcher`. Keep-alive is undici's
 * default: a connection idle for 4 s (or the server's Keep-Alive hint) is closed, so a brief's
 * burst of map calls reuses connections and an idle process holds none.
 */
export function createLlmTransport(timeoutMs: number): LlmTransport {
  const waitMs = timeoutMs + TRANSPORT_MARGIN_MS;
  return {
    // undici's types name its own Request and Response classes; the SDK uses only standard members.
    fetch: undiciFetch as unknown as typeof fetch,
    dispatcher: new Agent({ headersTimeout: waitMs, bodyTimeout: waitMs }),
  };
}
