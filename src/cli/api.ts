import type { z } from 'zod';
import { createParallaxClient, ok, ParallaxError, type ParallaxClient } from '../client/index.js';

/** A mistake in how the command was called: exit code 2. */
export class UsageError extends Error {}

/**
 * An option's value parsed with the API's own field schema (src/routes/fields.ts), so the
 * command refuses what the API would, before sending anything: a UsageError names the flag.
 */
export function option<T>(schema: z.ZodType<T>, value: string, flag: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new UsageError(`${flag}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`);
}

/** An error answer from the API: exit code 2 when the request's own arguments were refused, else 1. */
export function exitCodeOf(error: ParallaxError): number {
  return error.code === 'invalid_request' || error.code === 'unknown_prompt' ? 2 : 1;
}

/**
 * The HTTP API through the typed client (src/client/), reached over the local database (default:
 * the app runs in this process) or over the network (`--server URL`). Commands speak only HTTP,
 * so both modes behave the same.
 */
export interface Api {
  /** Where the answers come from, for messages: the database path or the server URL. */
  readonly where: string;
  readonly client: ParallaxClient;
  close(): Promise<void>;
}

export async function connectApi(server: string | undefined): Promise<Api> {
  const token = process.env.PARALLAX_TOKEN || undefined;
  if (server) {
    let base: URL;
    try {
      base = new URL(server);
    } catch {
      throw new UsageError(`--server takes a URL such as http://127.0.0.1:8787; got "${server}"`);
    }
    const send = async (request: Request) => {
      try {
        return await fetch(request);
      } catch (error) {
        const reason =
          (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new Error(
          `cannot reach the server at ${base.origin} (${reason}); is it running? (parallax serve)`,
        );
      }
    };
    return {
      where: base.origin,
      client: createParallaxClient(base.origin, { token, fetch: send }),
      close: async () => {},
    };
  }
  // Only a command on the local database loads the server's code (the app, SQLite, the prompts).
  const { createNodeRuntime } = await import('../runtime-node.js');
  // Log lines go to stderr: stdout is the command's output (--json is piped into other tools).
  const runtime = await createNodeRuntime(
    { LOG_LEVEL: 'warn', ...process.env },
    { writeLog: (line) => process.stderr.write(`${line}\n`) },
  );
  return {
    where: runtime.config.DATABASE_PATH,
    client: createParallaxClient('http://localhost', {
      token,
      fetch: async (request) => runtime.app.request(request),
    }),
    close: () => runtime.close(),
  };
}

/**
 * The data and status of a 2xx answer; an error answer is thrown as a ParallaxError, naming
 * PARALLAX_TOKEN when the server asked for a token.
 */
export async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T; status: number }> {
  try {
    return await ok(request);
  } catch (error) {
    if (error instanceof ParallaxError && error.code === 'unauthorized')
      throw new ParallaxError(
        error.status,
        error.code,
        `${error.message} (the CLI sends PARALLAX_TOKEN as the bearer token: set it to one of the server's API_TOKENS)`,
        error.requestId,
      );
    throw error;
  }
}

/** Runs `work` with an API connection, closing it after. */
export async function withApi<T>(
  server: string | undefined,
  work: (api: Api) => Promise<T>,
): Promise<T> {
  const api = await connectApi(server);
  try {
    return await work(api);
  } finally {
    await api.close();
  }
}
