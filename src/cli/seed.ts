import { parseArgs } from 'node:util';
import { ParallaxError, type BriefView } from '../client/index.js';
import { loadCorpus } from '../evals/corpus.js';
import { PromptRefList } from '../routes/fields.js';
import { call, exitCodeOf, option, withApi } from './api.js';
import { followToOutcome } from './brief.js';

export const seedUsage = `parallax seed [--prompts brief@1,brief@2] [--provider openai|local] [--dir seeds] [--server URL]

Briefs each sample document with every listed prompt version (default: the server's
DEFAULT_PROMPT), in the local database or on the server. Reruns are served from the cache.
Exit 1 when a brief failed.`;

/** How long one POST waits before following the brief's events instead (the API's longest wait). */
const WAIT_SECONDS = 600;

export async function seedCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      prompts: { type: 'string' },
      provider: { type: 'string' },
      dir: { type: 'string', default: 'seeds' },
      server: { type: 'string' },
    },
  });
  const documents = loadCorpus(values.dir!);
  return withApi(values.server, async (api) => {
    // Unknown versions are refused (exit 2) before anything is briefed.
    const refs = values.prompts ? option(PromptRefList, values.prompts, '--prompts') : [undefined];
    for (const ref of refs)
      if (ref) await call(api.client.GET('/v1/prompts/{ref}', { params: { path: { ref } } }));
    let failures = 0;
    for (const item of documents) {
      for (const ref of refs) {
        const started = performance.now();
        let outcome: string;
        let view: BriefView;
        try {
          const query = {
            wait: WAIT_SECONDS,
            title: item.title,
            prompt: ref,
            provider: values.provider,
          };
          const posted = await call(
            api.client.POST('/v1/briefs', {
              params: { query },
              headers: { 'content-type': 'text/markdown' },
              body: item.document,
            }),
          );
          view = posted.status === 202 ? await followToOutcome(api, posted.data.id) : posted.data;
          outcome =
            posted.status === 200
              ? 'cached'
              : view.status === 'succeeded'
                ? 'created'
                : view.status;
        } catch (error) {
          // A brief that failed (the model or endpoint): say so and go on with the rest.
          if (!(error instanceof ParallaxError) || exitCodeOf(error) === 2) throw error;
          failures++;
          console.log(
            [item.id.padEnd(34), (ref ?? '').padEnd(8), 'failed ', error.message].join('  '),
          );
          continue;
        }
        if (view.status !== 'succeeded') failures++;
        const notes = view.brief?.counterPerspectives.length ?? 0;
        const ms = Math.round(performance.now() - started);
        console.log(
          [
            item.id.padEnd(34),
            view.prompt.ref.padEnd(8),
            outcome.padEnd(7),
            view.id,
            `${view.chunks ?? '?'} chunk(s)`,
            `${notes} notes`,
            `${ms} ms`,
            view.error?.message ?? '',
          ]
            .join('  ')
            .trimEnd(),
        );
      }
    }
    return failures > 0 ? 1 : 0;
  });
}
