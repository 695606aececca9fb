import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { loadCorpus } from '../evals/corpus.js';
import { evalMarkdown } from '../evals/markdown.js';
import { runEval } from '../evals/run.js';
import { createNodeRuntime } from '../runtime-node.js';

export const evalUsage = `parallax eval --prompts brief@1,brief@2 --corpus <folder|file.jsonl> [--limit N] [--model M] [--out reports]

Runs every listed prompt version over every corpus document (through the caches: a rerun is
instant), prints the aggregate table and writes <out>/<eval id>.json and .md. The run is stored
and readable at GET /v1/evals/<id>.`;

export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      prompts: { type: 'string' },
      corpus: { type: 'string' },
      limit: { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string', default: 'reports' },
    },
  });
  if (!values.prompts || !values.corpus) {
    console.error(`parallax eval: --prompts and --corpus are required\n\n${evalUsage}`);
    return 2;
  }
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0)) {
    console.error('parallax eval: --limit takes a positive number');
    return 2;
  }
  const corpus = loadCorpus(values.corpus, limit);
  const runtime = await createNodeRuntime({ LOG_LEVEL: 'warn', ...process.env });
  const bar = new SingleBar({
    format: 'eval [{bar}] {value}/{total} briefs · {duration}s · {label}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    hideCursor: true,
  });
  bar.start(corpus.length * values.prompts.split(',').length, 0, { label: '' });
  try {
    const report = await runEval(runtime.deps, {
      corpus,
      corpusLabel: values.corpus,
      prompts: values.prompts.split(',').map((ref) => ref.trim()),
      model: values.model,
      onProgress: (done, _total, label) => bar.update(done, { label }),
    });
    bar.stop();
    mkdirSync(values.out!, { recursive: true });
    const base = join(values.out!, report.id);
    const markdown = evalMarkdown(report);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, markdown);
    console.log(markdown.split('\n## Documents')[0]);
    console.log(`Report: ${base}.json, ${base}.md`);
    return report.run.failures > 0 ? 1 : 0;
  } finally {
    bar.stop();
    await runtime.close();
  }
}
