import type { HonoRequest } from 'hono';
import type { RequestIdVariables } from 'hono/request-id';
import type { z } from 'zod';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';

/** The Hono environment every route sees: dependencies and the request id. */
export type AppEnv = { Variables: RequestIdVariables & { deps: Deps } };

/** Parses query or body input with zod; a failure becomes 400 invalid_request naming the fields. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
  );
  throw new AppError('invalid_request', `Invalid ${what}: ${problems.join('; ')}`, {
    issues: result.error.issues.map(({ path, message }) => ({ path, message })),
  });
}

/** The body as JSON; a body that is not JSON is 400 invalid_request (`hint` says what to send). */
export async function readJson(request: HonoRequest, hint = ''): Promise<unknown> {
  try {
    return await request.json();
  } catch {
    throw new AppError('invalid_request', `The body is not valid JSON${hint}`);
  }
}
