import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { ParallaxError, type Schemas } from '../client/index.js';
import { loadCorpus, type CorpusDocument } from '../evals/corpus.js';
import { evalMarkdown } from '../evals/markdown.js';
import type { EvalReport } from '../evals/report.js';
import { PromptRefList } from '../routes/fields.js';
import { call, option, UsageError, withApi, type Api } from './api.js';

export const evalUsage = `parallax eval --prompts brief@1,brief@2 --corpus <folder|file.jsonl> [--limit N] [--provider openai|local] [--model M] [--out reports] [--server URL]

Runs every listed prompt version over every corpus document (through the caches: a rerun is
instant), prints the aggregate table and writes <out>/<eval id>.json and .md. The run is stored
where the briefs are (the local database, or the server) and readable at GET /v1/evals/<id>.`;

/** How often a running evaluation is read for its progress. */
const POLL_MS = 500;

export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      prompts: { type: 'string' },
      corpus: { type: 'string' },
      limit: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      out: { type: 'string', default: 'reports' },
      server: { type: 'string' },
    },
  });
  if (!values.prompts || !values.corpus)
    throw new UsageError('--prompts and --corpus are required');
  const limit = values.limit === undefined ? Infinity : Number(values.limit);
  if (!(limit > 0)) throw new UsageError('--limit takes a positive number');
  const corpus = readCorpus(values.corpus, limit);
  const prompts = option(PromptRefList, values.prompts, '--prompts');

  return withApi(values.server, async (api) => {
    const body = {
      prompts,
      documents: corpus,
      corpus: values.corpus,
      provider: values.provider,
      model: values.model,
    };
    let started: Schemas['EvalSummary'];
    try {
      started = (await call(api.client.POST('/v1/evals', { body }))).data;
    } catch (error) {
      if (error instanceof ParallaxError && error.code === 'payload_too_large') {
        const megabytes = (JSON.stringify(body).length / 1024 / 1024).toFixed(1);
        throw new ParallaxError(
          error.status,
          error.code,
          `the corpus (${megabytes} MB as JSON) is larger than ${api.where} accepts (MAX_DOCUMENT_BYTES); run part of it with --limit`,
        );
      }
      throw error;
    }
    const detail = await follow(api, started);
    if (detail.status === 'failed' || !detail.report) {
      console.error(
        `parallax eval: evaluation ${detail.id} failed: ${detail.error ?? 'no reason given'}`,
      );
      return 1;
    }
    const report = detail.report as unknown as EvalReport;
    mkdirSync(values.out!, { recursive: true });
    const base = join(values.out!, report.id);
    const markdown = evalMarkdown(report);
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(`${base}.md`, markdown);
    console.log(markdown.split('\n## Documents')[0]);
    console.log(`Report: ${base}.json, ${base}.md`);
    return report.run.failures > 0 ? 1 : 0;
  });
}

/** The corpus, or an error a shell user can act on. */
function readCorpus(path: string, limit: number): CorpusDocument[] {
  try {
    return loadCorpus(path, limit);
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT')
      throw new Error(`corpus not found: ${path} (a folder of .md/.txt files or a .jsonl file)`);
    throw error;
  }
}

/** Reads the evaluation until it finishes, with a progress bar of briefs done on stderr. */
async function follow(api: Api, started: Schemas['EvalSummary']): Promise<Schemas['EvalDetail']> {
  const bar = new SingleBar({
    format: 'eval [{bar}] {value}/{total} briefs · {duration}s',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 5_000,
    hideCursor: true,
  });
  bar.start(started.progress.total, started.progress.done);
  try {
    for (;;) {
      const path = { id: started.id };
      const { data } = await call(api.client.GET('/v1/evals/{id}', { params: { path } }));
      bar.update(data.progress.done);
      if (data.status !== 'running') return data;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    bar.stop();
  }
}
