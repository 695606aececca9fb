import { z } from 'zod';

/** The closed set of error codes a client can receive (DESIGN.md "HTTP API"). */
export const ErrorCode = z.enum([
  'invalid_request',
  'unauthorized',
  'not_found',
  'unknown_prompt',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'llm_invalid_output',
  'llm_unavailable',
  'llm_unauthorized',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const codeToStatus = {
  invalid_request: 400,
  unauthorized: 401,
  not_found: 404,
  unknown_prompt: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  llm_invalid_output: 502,
  llm_unavailable: 503,
  // The endpoint refused this server's credentials (OPENAI_API_KEY): the server's configuration
  // is at fault, not the client's request nor its token, so a gateway error, not 401/403.
  llm_unauthorized: 502,
  internal: 500,
} as const satisfies Record<ErrorCode, number>;

/**
 * An expected failure with a client-facing code and message. Domain code throws it; the
 * app's error handler renders it as `{ error: { code, message, requestId, details? } }`.
 * The message is shown to clients, so it must never carry secrets or stack traces.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  get status(): (typeof codeToStatus)[ErrorCode] {
    return codeToStatus[this.code];
  }
}

export const ErrorBody = z
  .object({
    error: z.object({
      code: ErrorCode,
      message: z.string(),
      requestId: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });
