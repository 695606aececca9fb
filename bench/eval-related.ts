/**
 * Measures related-document ranking (GET /v1/documents/:id/related) on reports of the same
 * events: issue 15's "find the other side".
 *
 *   npm run eval:related -- --corpus ../shared/data/basil-dev.jsonl [--k 2] [--examples]
 *
 * The corpus is JSONL, one document a line with `event`, `document` (its text) and `title`
 * (BASIL's fields: each event is reported by three outlets). Every document is added through
 * POST /v1/documents of an in-process runtime (a fresh temporary SQLite file, deleted at the
 * end); then, for each, its top k related documents are read. precision@k is the share of them
 * that report the same event (k defaults to the number of other reports of an event, so it is
 * recall@k too). `--examples` prints each miss to stderr. Figures only, never corpus text, on
 * stdout.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { RelatedDocuments } from '../src/documents/related.js';
import { createNodeRuntime } from '../src/runtime-node.js';

interface EventRecord {
  event: string;
  title?: string;
  document: string;
}

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    k: { type: 'string' },
    examples: { type: 'boolean', default: false },
  },
});
if (!values.corpus)
  throw new Error('give the corpus: --corpus <file.jsonl> (event, title, document)');
const records = readFileSync(values.corpus, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as EventRecord);
const perEvent = new Map<string, number>();
for (const record of records) perEvent.set(record.event, (perEvent.get(record.event) ?? 0) + 1);
const k = values.k ? Number(values.k) : Math.max(...perEvent.values()) - 1;
if (!(Number.isInteger(k) && k > 0)) throw new Error('--k takes a positive whole number');

const folder = mkdtempSync(join(tmpdir(), 'parallax-eval-related-'));
const runtime = await createNodeRuntime(
  { DATABASE_PATH: join(folder, 'eval.sqlite'), LOG_LEVEL: 'silent', LLM_PROVIDER: 'local' },
  { promptsDir: fileURLToPath(new URL('../prompts', import.meta.url)) },
);
try {
  const eventOf = new Map<string, string>();
  for (const record of records) {
    const response = await runtime.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: record.document, title: record.title }),
    });
    if (response.status >= 300) throw new Error(`POST /v1/documents: ${response.status}`);
    eventOf.set(((await response.json()) as { id: string }).id, record.event);
  }
  let right = 0;
  let asked = 0;
  let perfect = 0;
  const started = performance.now();
  for (const [id, event] of eventOf) {
    const response = await runtime.app.request(`/v1/documents/${id}/related?limit=${k}`);
    const related = (await response.json()) as RelatedDocuments;
    const wanted = Math.min(k, (perEvent.get(event) ?? 1) - 1);
    const hits = related.related.filter((other) => eventOf.get(other.id) === event).length;
    right += hits;
    asked += wanted;
    if (hits === wanted) perfect++;
    else if (values.examples) {
      const listed = related.related.map((other) => `${other.title} (${other.score})`);
      process.stderr.write(`miss: ${related.document.title}\n  got: ${listed.join(' | ')}\n`);
    }
  }
  const ms = (performance.now() - started) / eventOf.size;
  console.log(`## Related documents (${records.length} documents, ${perEvent.size} events)\n`);
  console.log('| measure | value | target |\n|---|---|---|');
  console.log(`| precision@${k} (same event) | ${(right / asked).toFixed(3)} | ≥ 0.90 |`);
  console.log(
    `| documents with every other report in the top ${k} | ${perfect} of ${eventOf.size} | |`,
  );
  console.log(`| mean time per related query | ${ms.toFixed(1)} ms | |`);
} finally {
  await runtime.close();
  rmSync(folder, { recursive: true, force: true });
}
