import { createNodeRuntime } from '../runtime-node.js';
import type { z } from 'zod';

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
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
  get exitCode(): number {
    return this.code === 'invalid_request' || this.code === 'unknown_prompt' ? 2 : 1;
  }
}

export interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * The HTTP API, reached in this process over the local database (default) or over the network
 * (`--server URL`). Commands speak only HTTP, so both modes behave the same.
 */
export interface Api {
  /** Where the answers come from, for messages: the database path or the server URL. */
  readonly where: string;
  /** The JSON body of a 2xx answer with its status; an error envelope is thrown as ApiError. */
  json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  /** The server-sent events of a brief until its stream ends. */
  events(briefId: string): AsyncGenerator<SseEvent>;
  close(): Promise<void>;
}

export async function connectApi(server: string | undefined): Promise<Api> {
  const headers: Record<string, string> = process.env.PARALLAX_TOKEN
    ? { authorization: `Bearer ${process.env.PARALLAX_TOKEN}` }
    : {};
  let send: (path: string, init: RequestInit) => Promise<Response>;
  let where: string;
  let close = async () => {};
  if (server) {
    let base: URL;
    try {
      base = new URL(server);
    } catch {
      throw new UsageError(`--server takes a URL such as http://127.0.0.1:8787; got "${server}"`);
    }
    where = base.origin;
    send = async (path, init) => {
      try {
        return await fetch(new URL(path, base), init);
      } catch (error) {
        const reason =
          (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
        throw new Error(
          `cannot reach the server at ${base.origin} (${reason}); is it running? (parallax serve)`,
        );
      }
    };
  } else {
    // Log lines go to stderr: stdout is the command's output (--json is piped into other tools).
    const runtime = await createNodeRuntime(
      { LOG_LEVEL: 'warn', ...process.env },
      { writeLog: (line) => process.stderr.write(`${line}\n`) },
    );
    where = runtime.config.DATABASE_PATH;
    send = async (path, init) => runtime.app.request(path, init);
    close = () => runtime.close();
  }

  return {
    where,
    close,
    async json<T>(path: string, init: RequestInit = {}) {
      const response = await send(path, {
        ...init,
        headers: { ...headers, ...(init.headers as Record<string, string>) },
      });
      const body = (await response.json().catch(() => null)) as
        | (T & { error?: { code: string; message: string } })
        | null;
      if (!response.ok) {
        const error = body?.error ?? { code: 'internal', message: `HTTP ${response.status}` };
        const hint =
          error.code === 'unauthorized'
            ? ` (the CLI sends PARALLAX_TOKEN as the bearer token: set it to one of the server's API_TOKENS)`
            : '';
        throw new ApiError(response.status, error.code, `${error.message}${hint}`);
      }
      return { status: response.status, body: body as T };
    },
    async *events(briefId: string) {
      const response = await send(`/v1/briefs/${briefId}/events`, { headers });
      if (!response.ok || !response.body)
        throw new ApiError(
          response.status,
          'internal',
          `the event stream answered HTTP ${response.status}`,
        );
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(bytes, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .find((line) => line.startsWith(`${name}:`))
              ?.slice(name.length + 1)
              .trim();
          const data = field('data');
          if (data)
            yield {
              event: field('event') ?? 'message',
              data: JSON.parse(data) as Record<string, unknown>,
            };
        }
      }
    },
  };
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

/** A query string from the options that are set. */
export function query(values: Record<string, string | number | boolean | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values))
    if (value !== undefined && value !== false) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
