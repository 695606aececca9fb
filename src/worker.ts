import type { D1Database, ExecutionContext, Fetcher } from '@cloudflare/workers-types';
import { drizzle } from 'drizzle-orm/d1';
import type { ReferenceAssetReader } from './openapi/reference-page.js';
import { createApp, type App } from './app.js';
import { parseConfig, type Config } from './config.js';
import type { Database } from './db/client.js';
import * as schema from './db/schema.js';
import { buildDeps, type Deps } from './deps.js';
import { createLogger } from './lib/log.js';
import { selectProviders } from './llm/select.js';
import { bundledPromptFiles, bundledPromptLock } from './prompts/bundled.js';
import { createPromptRegistry } from './prompts/registry.js';

/** What wrangler.toml binds: the D1 database, plus vars and secrets named like Node's env. */
export interface WorkerEnv {
  DB: D1Database;
  /** The static assets of wrangler.toml's [assets]: the API reference page's files. */
  ASSETS?: Fetcher;
  [name: string]: unknown;
}

/**
 * A Worker invocation may hold at most 6 outgoing connections open at once; more queue inside
 * the runtime, where they still count against the request's wall time. LLM calls are capped
 * here whatever LLM_CONCURRENCY says.
 */
const WORKER_MAX_CONNECTIONS = 6;

/**
 * Built once per isolate on its first request and reused: config, logger, prompts, provider
 * and Drizzle over the D1 binding hold no per-request state. Things that do — the brief
 * service (runs in flight, `waitUntil`) and the LLM-call runner (concurrency limit, calls in
 * flight) — are built per request in `requestDeps`: in workerd a promise or queue shared
 * between requests ties one request's I/O to another's lifetime, and the platform's limits
 * (subrequests, open connections) are counted per request anyway.
 */
let isolate: Promise<App> | undefined;

async function buildIsolate(env: WorkerEnv): Promise<App> {
  const config = workerConfig(parseConfig(stringBindings(env)));
  const logger = createLogger(config.LOG_LEVEL);
  const prompts = await createPromptRegistry(bundledPromptFiles, bundledPromptLock);
  const providers = selectProviders(config);
  const db = drizzle(env.DB as never, { schema }) as unknown as Database;
  const shared = buildDeps({ config, db, prompts, providers, logger });
  return createApp(shared, {
    requestDeps: (deps, c) => requestDeps(deps, c.executionCtx),
    // Set by Cloudflare's edge on every request (and by wrangler dev); a client cannot forge it.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    referenceAssets: env.ASSETS && workerReferenceAssets(env.ASSETS),
  });
}

/**
 * Cloudflare serves /docs/assets/* from [assets] before the Worker runs; this answers the
 * requests that reach the Worker all the same (e.g. with `run_worker_first`) from the same store.
 */
function workerReferenceAssets(assets: Fetcher): ReferenceAssetReader {
  return async (name) => {
    const response = await assets.fetch(`https://assets.local/docs/assets/${name}`);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : null;
  };
}

/** One request's deps: the shared ones, with a brief service whose background work is kept alive by this request's `waitUntil`. */
function requestDeps(shared: Deps, executionCtx: Pick<ExecutionContext, 'waitUntil'>): Deps {
  const { config, db, prompts, providers, logger } = shared;
  return buildDeps({
    config,
    db,
    prompts,
    providers,
    logger,
    background: (work) => executionCtx.waitUntil(work),
  });
}

/** Node's settings, adjusted to what a Worker can do. */
function workerConfig(config: Config): Config {
  return { ...config, LLM_CONCURRENCY: Math.min(config.LLM_CONCURRENCY, WORKER_MAX_CONNECTIONS) };
}

/** Vars and secrets are strings; bindings (the D1 database) are objects and not config. */
function stringBindings(env: WorkerEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

export default {
  async fetch(request: Request, env: WorkerEnv, executionCtx: ExecutionContext): Promise<Response> {
    let app: App;
    try {
      app = await (isolate ??= buildIsolate(env));
    } catch (error) {
      // A bad var or a changed published prompt: every request says what is wrong, the next one retries.
      isolate = undefined;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`parallax: cannot start.\n${message}`);
      return Response.json(
        {
          error: {
            code: 'internal',
            message: `Parallax cannot start: ${message}`,
            requestId: null,
          },
        },
        { status: 500 },
      );
    }
    return app.fetch(request, env, executionCtx);
  },
};
