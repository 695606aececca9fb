import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { DocumentId, ModelName, PromptRef, ProviderName } from '../routes/fields.js';
import { call, option, UsageError, withApi } from './api.js';

export const briefsUsage = `parallax briefs [--document ID] [--prompt brief@2] [--provider openai|local] [--model M] [--status running|succeeded|failed] [--limit N] [--json] [--server URL]

Lists briefs, newest first: id, status, prompt version, provider/model, chunks, when, title.`;

const STATUSES = ['running', 'succeeded', 'failed'] as const;
const isStatus = (value: string): value is (typeof STATUSES)[number] =>
  (STATUSES as readonly string[]).includes(value);

/** A filter's flag parsed with the API's own field schema, when given. */
const optional = <T>(schema: z.ZodType<T>, value: string | undefined, flag: string) =>
  value === undefined ? undefined : option(schema, value, flag);

export async function briefsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      document: { type: 'string' },
      prompt: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      status: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  // Refused here, in the flags' names, rather than by the API in its query's.
  const status = values.status;
  if (status !== undefined && !isStatus(status))
    throw new UsageError('--status is running, succeeded or failed');
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1 && limit <= 100))
    throw new UsageError('--limit takes a whole number from 1 to 100');
  const query = {
    document: optional(DocumentId, values.document, '--document'),
    prompt: optional(PromptRef, values.prompt, '--prompt'),
    provider: optional(ProviderName, values.provider, '--provider'),
    model: optional(ModelName, values.model, '--model'),
    status,
    limit,
  };
  return withApi(values.server, async (api) => {
    const { data } = await call(api.client.GET('/v1/briefs', { params: { query } }));
    if (values.json) {
      console.log(JSON.stringify(data.items, null, 2));
      return 0;
    }
    if (data.items.length === 0) console.error(`no briefs match (${api.where})`);
    for (const view of data.items) {
      console.log(
        [
          view.id,
          view.status.padEnd(9),
          view.prompt.ref.padEnd(9),
          `${view.provider}/${view.model}`.padEnd(20),
          `${view.chunks ?? '?'} chunk(s)`.padEnd(11),
          view.createdAt,
          view.document.title ?? view.document.id.slice(0, 12),
        ].join('  '),
      );
    }
    return 0;
  });
}

export const promptsUsage = `parallax prompts [--json] [--server URL]

Lists the prompt versions: ref, whether it is the latest, sha256 prefix, description.`;

export async function promptsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, server: { type: 'string' } },
  });
  return withApi(values.server, async (api) => {
    const { data } = await call(api.client.GET('/v1/prompts'));
    if (values.json) console.log(JSON.stringify(data.items, null, 2));
    else
      for (const prompt of data.items)
        console.log(
          [
            prompt.ref.padEnd(10),
            (prompt.latest ? 'latest' : '').padEnd(6),
            prompt.sha256.slice(0, 12),
            firstSentence(prompt.description),
          ].join('  '),
        );
    return 0;
  });
}

function firstSentence(text: string): string {
  const sentence = /^.*?[.!?](?=\s|$)/.exec(text)?.[0] ?? text;
  return sentence.length > 100 ? `${sentence.slice(0, 99)}…` : sentence;
}
