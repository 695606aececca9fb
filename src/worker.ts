import type {
  D1Database,
  ExecutionContext,
  Fetcher,
  MessageBatch,
  Queue,
} from '@cloudflare/workers-types';
import { drizzle } from 'drizzle-orm/d1';
import type { ReferenceAssetReader } from './openapi/reference-page.js';
import { createApp, type App } from './app.js';
import { consumeBrief, sweepBriefs, WorkMessage, type Delivery } from './briefs/queue.js';
import { parseConfig, type Config } from './config.js';
import type { Database } from './db/client.js';
import * as schema from './db/schema.js';
import { buildDeps, type Deps } from './deps.js';
import { failInterruptedEvals } from './evals/run.js';
import { stepEval, sweepEvals } from './evals/queue.js';
import { createLogger } from './lib/log.js';
import { installEncodingAssets } from './llm/encoding-assets.js';
import { selectProviders } from './llm/select.js';
import { clearExpiredSlots, slotLimiter, withBudget } from './llm/slots.js';
import { consumePerspectives, sweepPerspectives } from './perspectives/queue.js';
import { failInterruptedPerspectives } from './perspectives/submit.js';
import { bundledPromptFiles, bundledPromptLock } from './prompts/bundled.js';
import { createPromptRegistry } from './prompts/registry.js';

/** What wrangler.toml binds: the D1 database, plus vars and secrets named like Node's env. */
export interface WorkerEnv {
  DB: D1Database;
  /** The static assets of wrangler.toml's [assets]: the API reference page's files. */
  ASSETS?: Fetcher;
  /**
   * The work queue (wrangler.toml [[queues.producers]] and [[queues.consumers]]): when bound,
   * briefs and corpus evaluations run in its consumer, `queue()` below, instead of in the
   * `waitUntil` of the request that started them (src/briefs/queue.ts).
   */
  WORK_QUEUE?: Queue<WorkMessage>;
  [name: string]: unknown;
}

/**
 * A Worker invocation may hold at most 6 outgoing connections open at once; more queue inside
 * the runtime, where they still count against the request's wall time. LLM calls are capped
 * here whatever LLM_CONCURRENCY says.
 */
const WORKER_MAX_CONNECTIONS = 6;

/**
 * Built once per isolate on its first invocation and reused: config, logger, prompts, provider
 * and Drizzle over the D1 binding hold no per-request state. Things that do — the brief
 * service (runs in flight, `waitUntil`), the LLM-call runner (concurrency limit, calls in
 * flight) and the LLM slots held — are built per invocation in `invocationDeps`: in workerd a
 * promise or queue shared between requests ties one request's I/O to another's lifetime, and
 * the platform's limits (subrequests, open connections) are counted per invocation anyway.
 */
let isolate: Promise<Isolate> | undefined;

interface Isolate {
  app: App;
  /** The deps of one invocation (a request, a queue batch, a cron run), kept alive by its context. */
  invocation: (executionCtx: Pick<ExecutionContext, 'waitUntil'>) => Deps;
  /** The openai provider is configured: it counts tokens with gpt-tokenizer's tables, static assets here. */
  countsTokens: boolean;
}

async function buildIsolate(env: WorkerEnv): Promise<Isolate> {
  const config = workerConfig(parseConfig(stringBindings(env)));
  const logger = createLogger(config.LOG_LEVEL);
  const prompts = await createPromptRegistry(bundledPromptFiles, bundledPromptLock);
  const providers = selectProviders(config);
  const db = drizzle(env.DB as never, { schema }) as unknown as Database;
  const shared = buildDeps({ config, db, prompts, providers, logger });
  const invocation: Isolate['invocation'] = (executionCtx) =>
    invocationDeps(shared, env, executionCtx);
  const app = createApp(shared, {
    requestDeps: (_deps, c) => invocation(c.executionCtx),
    // Set by Cloudflare's edge on every request (and by wrangler dev); a client cannot forge it.
    clientAddress: (c) => c.req.header('cf-connecting-ip'),
    referenceAssets: env.ASSETS && workerReferenceAssets(env.ASSETS),
  });
  return { app, invocation, countsTokens: providers.all.some(({ name }) => name === 'openai') };
}

/** The isolate, built on first use; a failed build is tried again by the next invocation. */
async function started(env: WorkerEnv): Promise<Isolate> {
  let built: Isolate;
  try {
    built = await (isolate ??= buildIsolate(env));
  } catch (error) {
    isolate = undefined;
    throw error;
  }
  // Outside the shared build: an invocation that finds the tables missing reads them itself.
  if (built.countsTokens) await installEncodingAssets(env.ASSETS);
  return built;
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

/**
 * One invocation's deps: the shared ones, with a brief service whose background work is kept
 * alive by this invocation's `waitUntil` and sent to the work queue when it is bound, and with
 * LLM calls that take a slot of the deployment's budget (LLM_GLOBAL_CONCURRENCY) when it is set.
 */
function invocationDeps(
  shared: Deps,
  env: WorkerEnv,
  executionCtx: Pick<ExecutionContext, 'waitUntil'>,
): Deps {
  const { config, db, prompts, logger } = shared;
  const budget = config.LLM_GLOBAL_CONCURRENCY;
  const providers =
    budget > 0
      ? withBudget(
          shared.providers,
          slotLimiter({
            db,
            budget,
            leaseMs: config.BRIEF_LEASE_MS,
            maxPollMs: config.BRIEF_POLL_MS,
            logger,
          }),
        )
      : shared.providers;
  return buildDeps({
    config,
    db,
    prompts,
    providers,
    logger,
    background: (work) => executionCtx.waitUntil(work),
    queue: env.WORK_QUEUE,
  });
}

/**
 * One message of the work queue. A body that is not a work message is dropped (acked): no
 * retry would make it one. A step that throws (D1 unreachable, say) is delivered again.
 */
async function consumeWork(deps: Deps, message: Delivery & { body: unknown }): Promise<void> {
  const parsed = WorkMessage.safeParse(message.body);
  if (!parsed.success) {
    deps.logger.error('work queue: not a work message, dropped', { messageId: message.id });
    return message.ack();
  }
  const work = parsed.data;
  try {
    if (work.kind === 'brief') await consumeBrief(deps.briefs, work, message);
    else if (work.kind === 'perspectives')
      await consumePerspectives(deps.perspectives, work, message);
    else await stepEval(deps, deps.briefs.queue!, work.evalId, message);
  } catch (error) {
    deps.logger.error('work queue: step failed, to be delivered again', {
      ...work,
      attempts: message.attempts,
      reason: error instanceof Error ? error.message : String(error),
    });
    message.retry();
  }
}

/**
 * The cron trigger: briefs and evaluations whose lease lapsed go to the queue again (or fail
 * after BRIEF_MAX_ATTEMPTS), expired LLM slots are cleared, and perspectives runs cut off with
 * their request's `waitUntil` are marked failed. Without a queue, evaluations cut off likewise
 * are marked failed (a brief cut off is resumed by the next POST of its document).
 */
async function sweep(deps: Deps, queue: WorkerEnv['WORK_QUEUE']): Promise<void> {
  const maxAttempts = deps.config.BRIEF_MAX_ATTEMPTS;
  const results = await Promise.allSettled([
    queue ? sweepBriefs(deps.briefs, queue) : Promise.resolve([]),
    queue ? sweepEvals(deps, queue, maxAttempts) : failInterruptedEvals(deps),
    queue
      ? sweepPerspectives(deps.perspectives, queue)
      : failInterruptedPerspectives(deps.perspectives),
    clearExpiredSlots(deps.db),
  ]);
  for (const result of results)
    if (result.status === 'rejected')
      deps.logger.error('sweep failed', { reason: String(result.reason) });
}

/** Node's settings, adjusted to what a Worker can do. */
function workerConfig(config: Config): Config {
  const concurrency = Math.min(config.LLM_CONCURRENCY, WORKER_MAX_CONNECTIONS);
  return {
    ...config,
    LLM_CONCURRENCY: concurrency,
    // Below the capped concurrency, as parseConfig holds it below the configured one.
    LLM_RESERVED_SLOTS: Math.min(config.LLM_RESERVED_SLOTS, concurrency - 1),
  };
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
      app = (await started(env)).app;
    } catch (error) {
      // A bad var or a changed published prompt: every request says what is wrong, the next one retries.
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

  /** The work queue's consumer: one message a batch (wrangler.toml `max_batch_size = 1`). */
  async queue(
    batch: MessageBatch<unknown>,
    env: WorkerEnv,
    executionCtx: ExecutionContext,
  ): Promise<void> {
    // A start-up failure throws: the platform delivers the batch again.
    const deps = (await started(env)).invocation(executionCtx);
    for (const message of batch.messages) await consumeWork(deps, message);
  },

  /** The cron trigger of wrangler.toml's [triggers]. */
  async scheduled(_controller: unknown, env: WorkerEnv, executionCtx: ExecutionContext) {
    const deps = (await started(env)).invocation(executionCtx);
    await sweep(deps, env.WORK_QUEUE);
  },
};
