import { serve } from '@hono/node-server';
import { failInterruptedEvals } from './evals/run.js';
import { batchedStdout, createNodeRuntime, type NodeRuntime } from './runtime-node.js';
import { recoverBriefs } from './briefs/lease.js';
import { failInterruptedPerspectives } from './perspectives/submit.js';

/** The Node entry point: config, SQLite (created and migrated), prompts, provider; then serve. */
async function main(): Promise<void> {
  let runtime: NodeRuntime;
  try {
    runtime = await createNodeRuntime(process.env, {
      writeLog: batchedStdout(),
      workThread: true,
    });
  } catch (error) {
    // A bad setting or a changed published prompt: say what is wrong, no stack trace.
    console.error(`parallax: cannot start.\n${(error as Error).message}`);
    process.exit(1);
  }
  const { app, config, deps } = runtime;
  const { logger, providers, prompts } = deps;
  const provider = providers.default;

  const server = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
    logger.info('parallax listening', {
      url: `http://${info.address.includes(':') ? `[${info.address}]` : info.address}:${info.port}`,
      provider: provider.name,
      model: provider.defaultModel,
      providers: providers.all.map((p) => p.name),
      database: config.DATABASE_PATH,
      prompts: prompts.list().map((prompt) => prompt.ref),
    });
    if (provider.name === 'local') {
      logger.info(
        'using the offline analyst; set OPENAI_BASE_URL and/or OPENAI_API_KEY (and LLM_MODEL) to use a language model',
      );
    }
  });

  // Resume briefs a dead process left running, and mark its evaluations interrupted, now and
  // whenever another lease may have lapsed.
  const recover = () =>
    Promise.all([
      recoverBriefs(deps.briefs),
      failInterruptedEvals(deps),
      failInterruptedPerspectives(deps.perspectives),
    ]).catch((error: unknown) => logger.error('recovery failed', { reason: String(error) }));
  void recover();
  setInterval(recover, config.BRIEF_LEASE_MS).unref();

  const shutdown = async (signal: string) => {
    logger.info('shutting down', { signal });
    server.close();
    await runtime.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

await main();
