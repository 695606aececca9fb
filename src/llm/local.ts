import { alignClaim } from '../analyst/align.js';
import { analyseChunk } from '../analyst/analyse-chunk.js';
import { ANALYST_MODEL, estimateTokens } from '../analyst/constants.js';
import { mergeBriefs } from '../analyst/merge.js';
import { settingsFrom } from '../analyst/params.js';
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
   * Runs `resume` after the event loop has served pending I/O (Node: `setImmediate`). Given,
   * the analyst reads one chunk at a time with a turn of the loop between (oneAtATime); not
   * given (Workers, scripts), chunks run as they come.
   */
  yieldTurn?: (resume: () => void) => void;
}

export function createLocalProvider(options: LocalProviderOptions = {}): Provider {
  const lane = oneAtATime(options.yieldTurn);
  return {
    name: 'local',
    defaultModel: ANALYST_MODEL,
    chunkTokens: 50_000,
    countTokens: (text) => estimateTokens(text),
    async generate<T>(request: GenerateRequest<T>, model: string): Promise<GenerateResult<T>> {
      if (request.signal?.aborted) throw new LlmError('unavailable', 'request aborted', true);
      const settings = settingsFrom(request.params);
      const input = request.input;
      let value: unknown;
      let promptTokens: number;
      if (input.stage === 'map') {
        value = await lane(() => analyseChunk(input.chunk.text, input.title, settings));
        promptTokens = estimateTokens(input.chunk.text);
      } else if (input.stage === 'perspectives') {
        value = await lane(() => alignClaim(input));
        promptTokens = estimateTokens(
          input.claim.text + input.passages.map((passage) => passage.text).join(' '),
        );
      } else {
        value = await lane(() => mergeBriefs(input.partials, input.title, settings));
        promptTokens = estimateTokens(JSON.stringify(input.partials));
      }
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

/**
 * Runs synchronous work one piece at a time, each after a turn of the event loop. The analysis
 * is CPU work on the main thread (up to ~0.3 s for a 50k-token chunk): run back to back, the
 * calls of a brief would hold the loop until the last one, so no other request would be answered
 * and no progress event sent until the brief was done. Between two pieces the loop now serves I/O.
 *
 * Only with a `pause` (the Node entry points pass `setImmediate`). On Workers the work runs as it
 * comes: there a provider outlives the request that built its queue, and a promise chain shared
 * between requests ties one request's work to another's lifetime (src/worker.ts).
 */
function oneAtATime(
  pause: ((resume: () => void) => void) | undefined,
): <T>(work: () => T) => Promise<T> {
  if (!pause) return (work) => Promise.resolve().then(work);
  let previous: Promise<unknown> = Promise.resolve();
  return (work) => {
    const next = previous.then(() => new Promise<void>((resolve) => pause(resolve))).then(work);
    previous = next.catch(() => undefined);
    return next;
  };
}
