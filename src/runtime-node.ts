import { getConnInfo } from '@hono/node-server/conninfo';
import { nodeReferenceAssets } from './openapi/reference-assets-node.js';
import { createApp } from './app.js';
import { parseConfig } from './config.js';
import { openNodeDatabase } from './db/node.js';
import { buildDeps, type Offload } from './deps.js';
import { createLogger } from './lib/log.js';
import { startWorkThread, type WorkThread } from './lib/work-thread.js';
import { createLlmTransport } from './llm/openai/node-dispatcher.js';
import { normalizeText } from './pipeline/normalize.js';
import { selectProviders } from './llm/select.js';
import { prepareTokenizer } from './llm/tokens.js';
import { warmContextBudget } from './pipeline/context-budget.js';
import { loadPromptRegistry } from './prompts/load-node.js';
import { idle } from './briefs/context.js';

/**
 * Everything a Node process needs, built from an environment: config, migrated SQLite,
 * prompts from disk, the provider, deps and the app. Shared by the server, the CLI and tests.
 */
export async function createNodeRuntime(
  env: Record<string, string | undefined>,
  options: {
    promptsDir?: string;
    writeLog?: (line: string) => void;
    /**
     * Servers (`npm start`, `parallax serve`) run the offline analyst and chunking on a worker
     * thread (src/lib/work-thread.ts), started and warmed up now, so a long brief leaves every
     * other request answered. One-shot commands and tests run them inline: they would pay the
     * thread's start-up (~0.7 s) on their first brief for nothing.
     */
    workThread?: boolean;
  } = {},
) {
  const config = parseConfig(env);
  const logger = createLogger(config.LOG_LEVEL, options.writeLog);
  const database = openNodeDatabase(config.DATABASE_PATH);
  try {
    const prompts = await loadPromptRegistry(options.promptsDir ?? 'prompts');
    const thread = options.workThread ? startWorkThread() : undefined;
    // Node's fetch would give up on a slow model at undici's 300 s, whatever LLM_TIMEOUT_MS says.
    const transport = createLlmTransport(config.LLM_TIMEOUT_MS);
    const providers = selectProviders(config, {
      ...transport,
      local: thread ? { execute: thread.analyse } : {},
    });
    // A server builds its model's tokenizer, and measures the default prompt's context budget
    // with it (the first count also compiles the tokenizer's code), before it listens: not
    // inside a request, on the thread that answers every other one.
    if (thread && providers.default.name === 'openai') {
      prepareTokenizer(config.LLM_MODEL);
      // The work thread, which chunks, builds its own, behind its warm-up; a failure here is
      // the first brief's to report.
      void thread
        .chunk({
          text: 'Warm-up.',
          maxTokens: 1_000,
          overlapTokens: 0,
          provider: 'openai',
          model: config.LLM_MODEL,
        })
        .catch(() => undefined);
      warmContextBudget({
        provider: providers.default,
        model: config.LLM_MODEL,
        prompt: prompts.resolve(config.DEFAULT_PROMPT),
        contextTokens: config.LLM_CONTEXT_TOKENS,
      });
    }
    const deps = buildDeps({
      config,
      db: database.db,
      prompts,
      providers,
      logger,
      ...(thread ? { offload: offloadTo(thread, config.DATABASE_PATH) } : {}),
    });
    return {
      config,
      deps,
      sqlite: database.sqlite,
      app: createApp(deps, { clientAddress, referenceAssets: nodeReferenceAssets() }),
      /**
       * Waits for running briefs and perspectives, then stops the work thread, drops the LLM
       * connections and closes the database.
       */
      async close() {
        await idle(deps.briefs);
        while (deps.perspectives.running.size > 0)
          await Promise.allSettled([...deps.perspectives.running.values()]);
        await thread?.close();
        await transport.dispatcher.destroy();
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
export type NodeRuntime = Awaited<ReturnType<typeof createNodeRuntime>>;

/** Documents up to this many UTF-16 code units are normalized on the main thread (under a millisecond). */
const INLINE_NORMALIZE_CHARS = 64 * 1024;

/** Everything the work thread can do for a server; a database only in memory is written here. */
function offloadTo(thread: WorkThread, databasePath: string): Offload {
  return {
    chunk: thread.chunk,
    // A short text is normalized here: a round trip to the thread costs a cached POST more than
    // the work (~0.5 ms at the limit), and took its requests/s from 0.68 to ~0.4 of a bare app's.
    normalize: (text) =>
      text.length <= INLINE_NORMALIZE_CHARS
        ? Promise.resolve(normalizeText(text))
        : thread.normalize(text),
    readDocument: thread.readDocument,
    verify: thread.verify,
    readHtml: thread.readHtml,
    readPdf: thread.readPdf,
    ...(databasePath === ':memory:'
      ? {}
      : {
          saveDocument: (document, options) => thread.saveDocument(databasePath, document, options),
          indexDocuments: () => thread.indexDocuments(databasePath),
        }),
  };
}

/** The socket's remote address; undefined for in-process requests (tests), which have no socket. */
function clientAddress(c: Parameters<typeof getConnInfo>[0]): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * Log lines for a server: written to stdout in one batch per event-loop turn. A write to a pipe
 * is synchronous on Linux, so one write per line would cost every request a system call.
 * Pending lines are flushed when the process exits.
 */
export function batchedStdout(): (line: string) => void {
  let pending: string[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    process.stdout.write(`${pending.join('\n')}\n`);
    pending = [];
  };
  process.once('exit', flush);
  return (line) => {
    if (pending.push(line) === 1) setImmediate(flush);
  };
}
