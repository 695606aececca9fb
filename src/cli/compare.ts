import { parseArgs } from 'node:util';
import { ParallaxError } from '../client/index.js';
import { DocumentId, PromptRef } from '../routes/fields.js';
import { call, option, UsageError, withApi } from './api.js';
import { renderComparison } from './render.js';

export const compareUsage = `parallax compare --document ID --a brief@1 --b brief@2 [--run] [--provider openai|local] [--model M] [--json] [--server URL]

Compares two prompt versions' briefs of one document: summary diff, key points and notes
kept/changed/added/dropped, metrics. --run briefs a missing version first.`;

export async function compareCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      document: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      run: { type: 'boolean', default: false },
      provider: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  if (!values.document || !values.a || !values.b)
    throw new UsageError('--document, --a and --b are required');
  const document = option(DocumentId, values.document, '--document');
  const a = option(PromptRef, values.a, '--a');
  const b = option(PromptRef, values.b, '--b');
  return withApi(values.server, async (api) => {
    const { provider, model, run } = values;
    const query = {
      document,
      a,
      b,
      provider,
      model,
      ...(run && { run: 'true' as const, wait: 600 }),
    };
    const { status, data } = await call(api.client.GET('/v1/compare', { params: { query } })).catch(
      (error: unknown) => {
        throw withFlagHint(error);
      },
    );
    if (status === 202 || !('summaryDiff' in data)) {
      console.error(
        `parallax compare: still running (${'briefs' in data ? data.briefs.join(', ') : ''}); run the command again in a moment`,
      );
      return 1;
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(data, null, 2)}\n` : renderComparison(data),
    );
    return 0;
  });
}

/**
 * The API says how to brief a missing version in its own syntax (`run=true`); the command's
 * way is its --run flag.
 */
function withFlagHint(error: unknown): unknown {
  if (!(error instanceof ParallaxError) || error.code !== 'not_found' || !error.details?.missing)
    return error;
  const message = `${error.message.replace(/;?\s*run it first \(run=true\)$/, '')}; add --run to brief it first`;
  return new ParallaxError(error.status, error.code, message, error.requestId, error.details);
}
