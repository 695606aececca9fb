import pLimit from 'p-limit';
import { BriefService } from './briefs/service.js';
import type { Config } from './config.js';
import type { Database } from './db/client.js';
import type { Logger } from './lib/log.js';
import type { Provider } from './llm/provider.js';
import { LlmCallRunner } from './pipeline/llm-calls.js';
import type { PromptRegistry } from './prompts/registry.js';

/** Everything a request handler may use. Built once by an entry point, handed to createApp. */
export interface Deps {
  config: Config;
  db: Database;
  prompts: PromptRegistry;
  provider: Provider;
  briefs: BriefService;
  logger: Logger;
}

export interface DepsInput {
  config: Config;
  db: Database;
  prompts: PromptRegistry;
  provider: Provider;
  logger: Logger;
  /** Keeps work alive after a response has been sent (Workers' waitUntil). Node needs nothing. */
  background?: (work: Promise<unknown>) => void;
}

export function buildDeps(input: DepsInput): Deps {
  const { config, db, prompts, provider, logger } = input;
  // One limit for the whole process: every brief's calls queue behind it.
  const runner = new LlmCallRunner(db, pLimit(config.LLM_CONCURRENCY));
  const briefs = new BriefService({
    db,
    prompts,
    provider,
    runner,
    logger,
    defaultPrompt: config.DEFAULT_PROMPT,
    overlapTokens: config.CHUNK_OVERLAP_TOKENS,
    leaseMs: config.BRIEF_LEASE_MS,
    pollMs: config.BRIEF_POLL_MS,
    background: input.background ?? (() => {}),
  });
  return { config, db, prompts, provider, briefs, logger };
}
