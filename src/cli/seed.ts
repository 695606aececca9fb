import { parseArgs } from 'node:util';
import { loadCorpus } from '../evals/corpus.js';
import { createNodeRuntime } from '../runtime-node.js';

export const seedUsage = `parallax seed [--prompts brief@1,brief@2] [--dir seeds]

Loads the sample documents into the database and briefs each with every listed prompt version
(default: DEFAULT_PROMPT). Reruns are served from the cache.`;

export async function seedCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { prompts: { type: 'string' }, dir: { type: 'string', default: 'seeds' } } });
  const runtime = await createNodeRuntime({ LOG_LEVEL: 'warn', ...process.env });
  const refs = (values.prompts ?? runtime.config.DEFAULT_PROMPT).split(',').map((ref) => ref.trim());
  let failures = 0;
  try {
    for (const item of loadCorpus(values.dir!)) {
      for (const ref of refs) {
        const started = performance.now();
        const { outcome, view } = await runtime.deps.briefs.submit(
          { text: item.document, title: item.title, prompt: ref, mediaType: 'text/markdown' },
          3_600_000,
        );
        if (outcome === 'failed') failures++;
        const notes = view.brief?.counterPerspectives.length ?? 0;
        const ms = Math.round(performance.now() - started);
        console.log(
          [item.id.padEnd(34), view.prompt.ref.padEnd(8), outcome.padEnd(7), view.id, `${view.chunks ?? '?'} chunk(s)`, `${notes} notes`, `${ms} ms`, view.error?.message ?? '']
            .join('  ')
            .trimEnd(),
        );
      }
    }
  } finally {
    await runtime.close();
  }
  return failures > 0 ? 1 : 0;
}
