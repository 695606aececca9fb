import { parseArgs } from 'node:util';
import { Duration } from '../lib/duration.js';
import { call, option, UsageError, withApi } from './api.js';

export const cacheUsage = `parallax cache prune --older-than <age> [--json] [--server URL]
parallax cache stats [--json] [--server URL]

prune: removes the LLM-call cache entries written longer ago than <age> (a whole number and a
unit: s, m, h, d or w, e.g. 30d), and says how many went. Every stored brief stays readable:
briefs keep their own results; a new run that needs a removed call makes it again.
stats: documents, briefs by status, the LLM-call cache's entries and bytes, the database's size.`;

/** `parallax cache prune|stats`: POST /v1/cache/prune and GET /v1/stats. */
export async function cacheCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      'older-than': { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  if (action === 'prune') {
    const olderThan = values['older-than'];
    if (olderThan === undefined) throw new UsageError('prune needs --older-than <age>, e.g. 30d');
    option(Duration, olderThan, '--older-than');
    return withApi(values.server, async (api) => {
      const { data } = await call(
        api.client.POST('/v1/cache/prune', { body: { olderThan: olderThan.trim() } }),
      );
      if (values.json) console.log(JSON.stringify(data, null, 2));
      else
        console.log(
          `removed ${data.removed.llmCalls} LLM-call cache ${data.removed.llmCalls === 1 ? 'entry' : 'entries'} written before ${data.cutoff} (${api.where})`,
        );
      return 0;
    });
  }
  if (action === 'stats') {
    if (values['older-than'] !== undefined) throw new UsageError('--older-than is for prune');
    return withApi(values.server, async (api) => {
      const { data } = await call(api.client.GET('/v1/stats'));
      if (values.json) {
        console.log(JSON.stringify(data, null, 2));
        return 0;
      }
      const { briefs, llmCalls, database } = data;
      console.log(
        [
          `documents     ${data.documents}`,
          `briefs        ${briefs.succeeded} succeeded, ${briefs.running} running, ${briefs.failed} failed`,
          `LLM calls     ${llmCalls.entries} cached answers, ${megabytes(llmCalls.bytes)}`,
          `perspectives  ${data.perspectives}`,
          `evaluations   ${data.evals}`,
          `database      ${database.bytes === null ? 'size unknown' : `${megabytes(database.bytes)}, ${megabytes(database.freeBytes ?? 0)} free`}`,
        ].join('\n'),
      );
      return 0;
    });
  }
  throw new UsageError(
    action ? `unknown action "${action}": prune or stats` : 'give an action: prune or stats',
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(bytes < 10_000_000 ? 2 : 1)} MB`;
}
