import { parseArgs } from 'node:util';
import type { Comparison } from '../compare/compare.js';
import { DocumentId, PromptRef } from '../routes/fields.js';
import { option, query, UsageError, withApi } from './api.js';
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
    const path = `/v1/compare${query({ document, a, b, provider, model, run, wait: run ? 600 : undefined })}`;
    const { status, body } = await api.json<Comparison | { status: 'running'; briefs: string[] }>(
      path,
    );
    if (status === 202 || !('summaryDiff' in body)) {
      console.error(
        `parallax compare: still running (${'briefs' in body ? body.briefs.join(', ') : ''}); run the command again in a moment`,
      );
      return 1;
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(body, null, 2)}\n` : renderComparison(body),
    );
    return 0;
  });
}
