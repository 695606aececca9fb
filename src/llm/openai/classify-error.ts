import { APIConnectionError, APIError } from 'openai';
import type { LlmErrorKind } from '../provider.js';

/** What a failed request means, and what to do about it. */
export interface Failure {
  kind: LlmErrorKind;
  /** Trying the same request again may succeed. */
  retry: boolean;
  /** Our own wording (status codes at most): it reaches clients through the stored failure. */
  message: string;
  /**
   * What the endpoint or the transport said (an error body, a cause): for server logs only,
   * since an endpoint's text is not ours to show a client.
   */
  detail?: string;
  /** How long the endpoint asked us to wait before retrying. */
  retryAfterMs?: number;
  /** The request can succeed in another form, which does not use up a retry. */
  adapt?: 'json_mode' | 'max_completion_tokens';
}

/** What a failed request means; `timedOutAfterMs` is set when our own deadline fired. */
export function classify(error: unknown, timedOutAfterMs: number | undefined): Failure {
  if (timedOutAfterMs !== undefined) {
    return {
      kind: 'unavailable',
      retry: true,
      message: `timeout: no complete answer within ${timedOutAfterMs} ms`,
    };
  }
  if (error instanceof APIConnectionError) {
    // The SDK's own words ("Connection error.", "Request timed out."); the cause names hosts
    // and addresses, which stay in the log.
    const cause = error.cause instanceof Error ? { detail: error.cause.message } : {};
    return { kind: 'unavailable', retry: true, message: error.message, ...cause };
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const status = error.status;
    // The SDK's message is the endpoint's error body (or its text): kept for the log only.
    const detail = error.message;
    if (status === 401 || status === 403) {
      // Not retried: the same key would be refused again.
      const message = `the endpoint refused the credentials (HTTP ${status})`;
      return { kind: 'unauthorized', retry: false, message, detail };
    }
    const message = `the endpoint answered HTTP ${status}`;
    if (status === 408 || status === 409 || status === 429 || status >= 500) {
      const retryAfterMs = retryAfter(error.headers);
      return {
        kind: status === 429 ? 'rate_limited' : 'unavailable',
        retry: true,
        message,
        detail,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
    const text = `${error.message} ${JSON.stringify(error.error ?? '')}`;
    const rejected = status === 400 || status === 422;
    if (rejected && /max_tokens/.test(text) && /max_completion_tokens/.test(text)) {
      return { kind: 'bad_request', retry: false, message, detail, adapt: 'max_completion_tokens' };
    }
    if (rejected && /response_format|json_schema|schema/i.test(text)) {
      return { kind: 'bad_request', retry: false, message, detail, adapt: 'json_mode' };
    }
    return { kind: 'bad_request', retry: false, message, detail };
  }
  // A body cut off mid-read ("terminated"), a 200 that is not JSON, and the like: transient.
  // A parser's message quotes the body it choked on, so only the error's name is ours to show.
  const name = error instanceof Error ? ` (${error.name})` : '';
  const detail = error instanceof Error ? error.message : String(error);
  return { kind: 'unavailable', retry: true, message: `the request failed${name}`, detail };
}

/** `retry-after-ms` (OpenAI's, in ms) or `retry-after` (seconds or an HTTP date), in ms. */
export function retryAfter(headers: Headers | undefined): number | undefined {
  const ms = Number.parseFloat(headers?.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return Math.ceil(ms);
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
