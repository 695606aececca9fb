import { ANALYST_MODEL, estimateTokens } from '../analyst/constants.js';
import { runAnalystTask, type AnalystTask } from '../analyst/task.js';
import type { GenerateRequest, GenerateResult, Provider } from './provider.js';
import { LlmError } from './provider.js';

/**
 * The offline analyst: a provider that reads the document itself instead of prompting a model.
 * It ignores `request.messages` and works from `request.input` and `request.params`; see
 * src/analyst/README.md for what it can and cannot do. Deterministic, no network, no
 * Node-only API (runs on Workers).
 */
export interface LocalProviderOptions {
  /**
   * Runs one task of the analyst somewhere else (Node servers: a worker thread, src/lib/work-thread.ts),
   * so its CPU time does not hold the event loop. Not given (Workers, scripts): it runs here.
   */
  execute?: (task: AnalystTask) => Promise<unknown>;
}

export function createLocalProvider(options: LocalProviderOptions = {}): Provider {
  const execute =
    options.execute ??
    ((task: AnalystTask) => Promise.resolve(task).then((queued) => runAnalystTask(queued)));
  return {
    name: 'local',
    defaultModel: ANALYST_MODEL,
    chunkTokens: 50_000,
    countTokens: (text) => estimateTokens(text),
    async generate<T>(request: GenerateRequest<T>, model: string): Promise<GenerateResult<T>> {
      if (request.signal?.aborted) throw new LlmError('unavailable', 'request aborted', true);
      const input = request.input;
      const value = await execute({ input, params: request.params });
      const promptTokens = estimateTokens(
        input.stage === 'map'
          ? input.chunk.text
          : input.stage === 'perspectives'
            ? input.claim.text + input.passages.map((passage) => passage.text).join(' ')
            : JSON.stringify(input.partials),
      );
      const parsed = request.schema.zod.safeParse(value);
      if (!parsed.success) {
        throw new LlmError(
          'invalid_output',
          `local analyst produced invalid ${request.schema.name} output: ${parsed.error.message}`,
          false,
        );
      }
      return {
        value: parsed.data,
        usage: {
          requests: 1,
          promptTokens,
          completionTokens: estimateTokens(JSON.stringify(parsed.data)),
        },
        model: model || ANALYST_MODEL,
      };
    },
  };
}
