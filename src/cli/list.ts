import { parseArgs } from 'node:util';
import type { BriefView } from '../briefs/view.js';
import { query, UsageError, withApi } from './api.js';

export const briefsUsage = `parallax briefs [--document ID] [--prompt brief@2] [--provider openai|local] [--model M] [--status running|succeeded|failed] [--limit N] [--json] [--server URL]

Lists briefs, newest first: id, status, prompt version, provider/model, chunks, when, title.`;

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
  if (values.status && !['running', 'succeeded', 'failed'].includes(values.status))
    throw new UsageError('--status is running, succeeded or failed');
  if (values.limit !== undefined && !/^\d+$/.test(values.limit))
    throw new UsageError('--limit takes a whole number from 1 to 100');
  return withApi(values.server, async (api) => {
    const { document, prompt, provider, model, status, limit } = values;
    const { body } = await api.json<{ items: BriefView[] }>(
      `/v1/briefs${query({ document, prompt, provider, model, status, limit })}`,
    );
    if (values.json) {
      console.log(JSON.stringify(body.items, null, 2));
      return 0;
    }
    if (body.items.length === 0) console.error(`no briefs match (${api.where})`);
    for (const view of body.items) {
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

interface PromptSummary {
  ref: string;
  latest: boolean;
  sha256: string;
  description: string;
}

export async function promptsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { json: { type: 'boolean', default: false }, server: { type: 'string' } },
  });
  return withApi(values.server, async (api) => {
    const { body } = await api.json<{ items: PromptSummary[] }>('/v1/prompts');
    if (values.json) console.log(JSON.stringify(body.items, null, 2));
    else
      for (const prompt of body.items)
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
