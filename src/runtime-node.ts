import { getConnInfo } from '@hono/node-server/conninfo';
import { nodeReferenceAssets } from './openapi/reference-assets-node.js';
import { createApp } from './app.js';
import { parseConfig } from './config.js';
import { openNodeDatabase } from './db/node.js';
import { buildDeps } from './deps.js';
import { createLogger } from './lib/log.js';
import { selectProviders } from './llm/select.js';
import { loadPromptRegistry } from './prompts/load-node.js';
import { idle } from './briefs/context.js';

/**
 * Everything a Node process needs, built from an environment: config, migrated SQLite,
 * prompts from disk, the provider, deps and the app. Shared by the server, the CLI and tests.
 */
export async function createNodeRuntime(
  env: Record<string, string | undefined>,
  options: { promptsDir?: string; writeLog?: (line: string) => void } = {},
) {
  const config = parseConfig(env);
  const logger = createLogger(config.LOG_LEVEL, options.writeLog);
  const database = openNodeDatabase(config.DATABASE_PATH);
  try {
    const prompts = await loadPromptRegistry(options.promptsDir ?? 'prompts');
    // One analyst chunk per turn of the event loop, so a long local brief leaves the server answering.
    const providers = selectProviders(config, {
      local: { yieldTurn: (resume) => setImmediate(resume) },
    });
    const deps = buildDeps({ config, db: database.db, prompts, providers, logger });
    return {
      config,
      deps,
      sqlite: database.sqlite,
      app: createApp(deps, { clientAddress, referenceAssets: nodeReferenceAssets() }),
      /** Waits for running briefs, then closes the database. */
      async close() {
        await idle(deps.briefs);
        database.close();
      },
    };
  } catch (error) {
    database.close();
    throw error;
  }
}
export type NodeRuntime = Awaited<ReturnType<typeof createNodeRuntime>>;

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
