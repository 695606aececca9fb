import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { ModelBrief, type BriefUsage } from '../briefs/schema.js';
import type { Database } from '../db/client.js';
import { llmCalls } from '../db/schema.js';
import { sha256Hex, stableStringify } from '../lib/hash.js';
import { LlmError, type Provider, type StageInput, type Usage } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import { FENCE_FOR_CACHE_KEY, newFence, renderStage } from '../prompts/render.js';
import { takeTurn } from '../lib/wait.js';
import type { Limiter, Priority } from './fair-limit.js';

/** What the calls of one brief cost (its usage, filled in as calls finish) and who answered. */
export interface CallStats extends BriefUsage {
  /** The model name the endpoint reported. */
  answeredBy?: string;
}

export const emptyStats = (): CallStats => ({
  calls: 0,
  cachedCalls: 0,
  requests: 0,
  promptTokens: 0,
  completionTokens: 0,
});

export interface StageCall {
  provider: Provider;
  model: string;
  prompt: Prompt;
  input: StageInput;
  signal?: AbortSignal;
  /** The run this call is for (a brief's or perspectives run's id): the limit takes turns between runs. */
  owner: string;
  /** `background` for an evaluation's briefs, which wait while interactive calls queue. */
  priority?: Priority | undefined;
  /** Made anew even when the cache holds an answer, which the new one replaces (`?refresh=calls`). */
  refresh?: boolean | undefined;
}

/** A stage's output schema; `name` labels it for json_schema response formats. */
export interface OutputSchema<T> {
  name: string;
  zod: z.ZodType<T>;
}

/** Map and reduce calls answer with a brief. */
export const BRIEF_OUTPUT: OutputSchema<ModelBrief> = { name: 'brief', zod: ModelBrief };
const schemaHashes = new WeakMap<object, Promise<string>>();
function schemaHash(schema: OutputSchema<unknown>): Promise<string> {
  let hash = schemaHashes.get(schema);
  if (!hash) {
    hash = sha256Hex(stableStringify(z.toJSONSchema(schema.zod)));
    schemaHashes.set(schema, hash);
  }
  return hash;
}

/**
 * The LLM-call cache with single-flight: one validated output per
 * key = sha256(provider, model, params, messages, output schema).
 *
 * The key is computed from messages rendered with a constant fence, so the random per-request
 * fence that protects the call does not defeat the cache. Identical calls in flight at the same
 * time share one request; only output that passed the schema is stored.
 */
export class LlmCallRunner {
  private readonly inFlight = new Map<
    string,
    Promise<{ value: unknown; model: string; usage: Usage }>
  >();

  /** The cache's two queries, prepared once: building and preparing them per call cost more than the call's own bookkeeping. */
  private readonly statements;

  constructor(
    db: Database,
    private readonly limit: Limiter,
  ) {
    const placeholder = <T>(name: string) => sql.placeholder(name) as unknown as T;
    this.statements = {
      lookup: db
        .select({ output: llmCalls.output })
        .from(llmCalls)
        .where(eq(llmCalls.key, sql.placeholder('key')))
        .limit(1)
        .prepare(),
      store: db
        .insert(llmCalls)
        .values({
          key: placeholder<string>('key'),
          provider: placeholder<string>('provider'),
          model: placeholder<string>('model'),
          stage: placeholder<string>('stage'),
          output: placeholder<unknown>('output'),
          promptTokens: placeholder<number>('promptTokens'),
          completionTokens: placeholder<number>('completionTokens'),
          createdAt: placeholder<number>('createdAt'),
        })
        // A refreshed call replaces the stored answer. Otherwise a conflict is two processes
        // making the same call at once, and either's answer will do.
        .onConflictDoUpdate({
          target: llmCalls.key,
          set: {
            output: sql`excluded.output`,
            promptTokens: sql`excluded.prompt_tokens`,
            completionTokens: sql`excluded.completion_tokens`,
            createdAt: sql`excluded.created_at`,
          },
        })
        .prepare(),
    };
  }

  /** One stage call through the cache; `schema` is the stage's output (a brief unless given). */
  async run(call: StageCall, stats: CallStats): Promise<ModelBrief>;
  async run<T>(call: StageCall, stats: CallStats, schema: OutputSchema<T>): Promise<T>;
  async run<T>(
    call: StageCall,
    stats: CallStats,
    schema: OutputSchema<T> = BRIEF_OUTPUT as unknown as OutputSchema<T>,
  ): Promise<T> {
    // A brief starts all its map calls at once, and each call's key renders and hashes its chunk:
    // one turn of the event loop per call, not one for all of a 7 MB document's (issue 17).
    await takeTurn();
    const key = await this.keyOf(call, schema);
    stats.calls++;
    const stored = call.refresh ? undefined : await this.lookup(key, schema);
    if (stored) {
      stats.cachedCalls++;
      return stored;
    }
    let flight = this.inFlight.get(key);
    const joined = flight !== undefined;
    if (!flight) {
      flight = this.execute(key, call, schema).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, flight);
    }
    try {
      const result = await flight;
      if (joined) {
        stats.cachedCalls++;
      } else {
        addUsage(stats, result.usage);
        stats.answeredBy = result.model;
      }
      return result.value as T;
    } catch (error) {
      if (!joined && error instanceof LlmError) addUsage(stats, error.usage);
      throw error;
    }
  }

  private async execute<T>(key: string, call: StageCall, schema: OutputSchema<T>) {
    const fence = newFence();
    const messages = renderStage(call.prompt, call.input, fence);
    const result = await this.limit(
      () =>
        call.provider.generate(
          {
            stage: call.input.stage,
            messages,
            schema,
            params: call.prompt.params,
            input: call.input,
            signal: call.signal,
          },
          call.model,
        ),
      { owner: call.owner, priority: call.priority, signal: call.signal },
    );
    const value = schema.zod.parse(result.value);
    await this.statements.store.run({
      key,
      provider: call.provider.name,
      model: call.model,
      stage: call.input.stage,
      output: value,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      createdAt: Date.now(),
    });
    return { value, model: result.model, usage: result.usage };
  }

  private async lookup<T>(key: string, schema: OutputSchema<T>): Promise<T | undefined> {
    const [row] = await this.statements.lookup.all({ key });
    if (!row) return undefined;
    const parsed = schema.zod.safeParse(row.output);
    return parsed.success ? parsed.data : undefined;
  }

  private async keyOf(call: StageCall, schema: OutputSchema<unknown>): Promise<string> {
    return sha256Hex(
      stableStringify({
        provider: call.provider.name,
        model: call.model,
        params: call.prompt.params,
        messages: renderStage(call.prompt, call.input, FENCE_FOR_CACHE_KEY),
        schema: { name: schema.name, sha256: await schemaHash(schema) },
      }),
    );
  }
}

function addUsage(stats: CallStats, usage: Usage): void {
  stats.requests += usage.requests;
  stats.promptTokens += usage.promptTokens;
  stats.completionTokens += usage.completionTokens;
}
