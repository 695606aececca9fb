/**
 * Summary quality of the offline analyst: ROUGE-1/2/L F1 against reference summaries, beside
 * LEAD (the document's first words), on a JSONL corpus of `{ id, title?, document, summary }`.
 *
 *   npx tsx bench/quality.ts --corpus ../shared/data/billsum-us-sample.jsonl [--limit N] [--no-title]
 *
 * Per record: the text is normalized as the service normalizes it (src/pipeline/normalize.ts:
 * NFC, \r\n → \n, whitespace runs), the analyst runs its map stage once with `summaryWords` set
 * to the reference's length (a document this size is one chunk, so that call is the whole
 * pipeline), and both the analyst's summary and LEAD are cut at the reference's length in
 * whitespace-separated words before scoring. The table shows mean F1 × 100.
 */
import { readFileSync } from 'node:fs';
import { ModelBrief } from '../src/briefs/schema.js';
import { createLocalProvider } from '../src/llm/local.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { PromptParams } from '../src/prompts/prompt.js';
import { firstWords, rouge, type RougeScores } from '../src/compare/rouge.js';

interface Record {
  id: string;
  title?: string;
  document: string;
  summary: string;
}

function argument(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const corpus = argument('--corpus');
  if (!corpus) {
    console.error('usage: tsx bench/quality.ts --corpus <file.jsonl> [--limit N] [--no-title]');
    process.exit(2);
  }
  const limit = Number(argument('--limit') ?? Infinity);
  const useTitle = !process.argv.includes('--no-title');
  const records = readFileSync(corpus, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Record)
    .slice(0, limit);

  const provider = createLocalProvider();
  const totals = { analyst: zero(), lead: zero() };
  const started = performance.now();
  for (const record of records) {
    const text = normalizeText(record.document);
    const reference = normalizeText(record.summary);
    const words = reference.split(/\s+/).filter(Boolean).length;
    const params = PromptParams.parse({ summaryWords: Math.min(1_000, Math.max(20, words)) });
    const result = await provider.generate(
      {
        stage: 'map',
        messages: { system: '', user: '' },
        schema: { name: 'brief', zod: ModelBrief },
        params,
        input: {
          stage: 'map',
          title: useTitle ? (record.title ?? null) : null,
          chunk: { index: 0, text, start: 0, end: text.length },
          chunkCount: 1,
        },
      },
      provider.defaultModel,
    );
    add(totals.analyst, rouge(firstWords(result.value.summary, words), reference));
    add(totals.lead, rouge(firstWords(text, words), reference));
  }
  const seconds = (performance.now() - started) / 1000;
  const n = Math.max(1, records.length);
  const row = (name: string, t: RougeScores) =>
    `| ${name.padEnd(7)} | ${pct(t.rouge1.f1 / n)} | ${pct(t.rouge2.f1 / n)} | ${pct(t.rougeL.f1 / n)} |`;
  console.log(
    `${records.length} documents from ${corpus} (${seconds.toFixed(1)} s, title ${useTitle ? 'used' : 'not used'})`,
  );
  console.log('| system  | R-1 F1 | R-2 F1 | R-L F1 |');
  console.log('|---------|--------|--------|--------|');
  console.log(row('analyst', totals.analyst));
  console.log(row('LEAD', totals.lead));
}

function zero(): RougeScores {
  return {
    rouge1: { precision: 0, recall: 0, f1: 0 },
    rouge2: { precision: 0, recall: 0, f1: 0 },
    rougeL: { precision: 0, recall: 0, f1: 0 },
  };
}

function add(total: RougeScores, scores: RougeScores): void {
  for (const key of ['rouge1', 'rouge2', 'rougeL'] as const) {
    total[key].precision += scores[key].precision;
    total[key].recall += scores[key].recall;
    total[key].f1 += scores[key].f1;
  }
}

function pct(value: number): string {
  return (value * 100).toFixed(1).padStart(6);
}

await main();
