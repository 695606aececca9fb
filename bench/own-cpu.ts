/**
 * own_cpu_*: the time Parallax itself spends on a brief, per MB of document, which is what a fast
 * model waits on (issue 14: against a 100 ms endpoint a 580 KB document took 1.37 s where its
 * calls' critical path is 0.3 s).
 *
 * - `own_cpu_chunk_verify_s_per_mb`: CPU seconds (this process's user + system time, so that
 *   waiting on a busy machine does not count) to chunk a ~1 MB document as the openai provider
 *   does at the defaults (gpt-4o-mini's tokenizer, CHUNK_TOKENS, CHUNK_OVERLAP_TOKENS) and to
 *   verify a brief of its quotes: the median of ROUNDS documents not seen before, after one that
 *   warms up. The brief is the test server's fake model's: map briefs of every chunk, merged,
 *   quotes verbatim. `details` has a heavy brief too, at the
 *   output caps (1,000 quotes: verbatim, loosely quoted, made up).
 * - `own_cpu_brief_s_per_mb`: a whole brief of the same document through the app against the
 *   test LLM server at L = 100 ms and LLM_CONCURRENCY = 16: wall time minus the calls' own
 *   critical path, (⌈N/C⌉ + reduce levels) × L, per MB. Reported.
 *
 * The document is the project's seed documents (seeds/*.md) in turn, each paragraph tagged with
 * its round so that no two are alike: varied real prose, figures, quotation marks and dashes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { BriefView } from '../src/briefs/view.js';
import { parseConfig } from '../src/config.js';
import type { ModelBrief } from '../src/briefs/schema.js';
import type { Chunk } from '../src/pipeline/chunk.js';
import { runChunkTask } from '../src/pipeline/chunk-task.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { OUTPUT_CAPS, verifyBrief } from '../src/pipeline/verify.js';
import { createTestApp } from '../test/support/app.js';
import { fakeModel, type LlmServer } from '../test/support/llm-server.js';
import { median, round, type Figure } from './support/figure.js';

const DOCUMENT_BYTES = 1_000_000;
const ROUNDS = 5;
const TARGET_S_PER_MB = 0.2;
const LATENCY_MS = 100;
const CONCURRENCY = 16;
const MODEL = 'gpt-4o-mini';

/** About `bytes` characters of seed prose, paragraphs tagged with `tag` and their round. */
export function seedDocument(bytes: number, tag: string): string {
  const dir = new URL('../seeds/', import.meta.url);
  const paragraphs = readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .flatMap((name) => readFileSync(new URL(name, dir), 'utf8').split(/\n\s*\n/))
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
  const out: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const paragraph = `${paragraphs[i % paragraphs.length]} (${tag} ${Math.floor(i / paragraphs.length) + 1})`;
    out.push(paragraph);
    size += paragraph.length + 2;
  }
  return normalizeText(out.join('\n\n'));
}

export async function ownCpu(llm: LlmServer): Promise<Figure[]> {
  const { CHUNK_TOKENS, CHUNK_OVERLAP_TOKENS } = parseConfig({});
  const fenced = (kind: string, data: string) => ({
    messages: [
      {
        role: 'user',
        content: `-----BEGIN ${kind} ${'0'.repeat(32)}-----\n${data}\n-----END ${kind} ${'0'.repeat(32)}-----`,
      },
    ],
  });
  const chunkS: number[] = [];
  const verifyS: number[] = [];
  const heavyS: number[] = [];
  let mb = 0;
  let chunks = 0;
  let quotes = 0;
  // Pass 0 warms up (the tokenizer's tables, the JIT), as a server's first brief does; each
  // pass reads a document it has not seen.
  for (let pass = 0; pass <= ROUNDS; pass++) {
    const text = seedDocument(DOCUMENT_BYTES, `own-cpu ${pass}`);
    const task = {
      text,
      maxTokens: CHUNK_TOKENS,
      overlapTokens: CHUNK_OVERLAP_TOKENS,
      provider: 'openai',
      model: MODEL,
    };
    let made: Chunk[] = [];
    const chunking = cpuSeconds(() => {
      made = runChunkTask(task);
    });
    const partials = made.map((chunk) => fakeModel(fenced('DOCUMENT', chunk.text)));
    const brief = fakeModel(fenced('PARTIALS', JSON.stringify(partials)));
    const heavy = heavyBrief(text);
    const verifying = cpuSeconds(() => verifyBrief(brief, text));
    const heavyVerifying = cpuSeconds(() => verifyBrief(heavy, text));
    if (pass === 0) continue;
    mb = text.length / 1_000_000;
    chunks = made.length;
    quotes = countQuotes(brief);
    chunkS.push(chunking / mb);
    verifyS.push(verifying / mb);
    heavyS.push(heavyVerifying / mb);
  }
  const perMb = (seconds: number[]) => round(median(seconds), 4);
  return [
    {
      key: 'own_cpu_chunk_verify_s_per_mb',
      value: round(perMb(chunkS) + perMb(verifyS), 4),
      unit: 's/MB',
      target: { op: '<=', value: TARGET_S_PER_MB },
      details: {
        documentMb: round(mb),
        chunks,
        model: MODEL,
        chunkSPerMb: perMb(chunkS),
        verifySPerMb: perMb(verifyS),
        quotes,
        heavyVerifySPerMb: perMb(heavyS),
        heavyQuotes: OUTPUT_CAPS.items * 2 * OUTPUT_CAPS.citations,
        rounds: chunkS.map((s, i) => round(s + verifyS[i]!, 4)),
      },
    },
    await briefOverhead(llm),
  ];
}

/** A whole brief through the app: wall time minus the calls' own critical path, per MB. */
async function briefOverhead(llm: LlmServer): Promise<Figure> {
  const app = await createTestApp({
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: MODEL,
    LLM_CONCURRENCY: String(CONCURRENCY),
  });
  try {
    const warm = await app.postJson({ text: seedDocument(20_000, 'own-cpu warm-up') }, '?wait=60');
    if (warm.status !== 201) throw new Error(`own cpu warm-up answered ${warm.status}`);
    const text = seedDocument(DOCUMENT_BYTES, 'own-cpu brief');
    llm.reset();
    llm.latencyMs = LATENCY_MS;
    const started = performance.now();
    const response = await app.postJson({ text }, '?wait=120');
    const wallMs = performance.now() - started;
    if (response.status !== 201) throw new Error(`own cpu brief answered ${response.status}`);
    const view = BriefView.parse(await response.json());
    const chunks = view.chunks!;
    const levels =
      chunks > 1
        ? Math.ceil(Math.log(chunks) / Math.log(view.params.reduceFanIn as number) - 1e-9)
        : 0;
    const criticalMs = (Math.ceil(chunks / CONCURRENCY) + levels) * LATENCY_MS;
    return {
      key: 'own_cpu_brief_s_per_mb',
      value: round((wallMs - criticalMs) / 1000 / (text.length / 1_000_000), 3),
      unit: 's/MB',
      details: {
        documentMb: round(text.length / 1_000_000),
        chunks,
        calls: llm.calls.length,
        latencyMs: LATENCY_MS,
        concurrency: CONCURRENCY,
        wallMs: Math.round(wallMs),
        criticalPathMs: criticalMs,
        timings: view.timings,
      },
      note: 'wall time of a cold brief minus its calls’ critical path at L = 100 ms, per MB (the in-process test server’s work is in it)',
    };
  } finally {
    llm.latencyMs = 0;
    await app.close();
  }
}

/** A brief at the output caps: 1,000 quotes, a third verbatim, a third loosely quoted, a third made up. */
function heavyBrief(text: string): ModelBrief {
  const sentences = text.match(/[^\s.!?][^.!?\n]{30,200}[.!?]/g) ?? [];
  const quote = (i: number) => {
    const sentence = sentences[(i * 7_919) % sentences.length]!;
    if (i % 3 === 0) return sentence;
    if (i % 3 === 1) return sentence.toUpperCase().replace(/ /g, '  ');
    return `${sentence} and a figure the model made up, ${i}`;
  };
  const citations = (item: number) =>
    Array.from({ length: OUTPUT_CAPS.citations }, (_, k) => ({
      quote: quote(item * OUTPUT_CAPS.citations + k),
    }));
  const items = Array.from({ length: OUTPUT_CAPS.items }, (_, i) => i);
  return {
    headline: 'Heavy brief',
    summary: 'A brief at the output caps.',
    keyPoints: items.map((i) => ({ text: 'A point.', citations: citations(i) })),
    stakeholders: [],
    counterPerspectives: items.map((i) => ({
      kind: 'disputed_claim',
      claim: 'A claim.',
      perspective: 'A party.',
      note: 'A note.',
      citations: citations(OUTPUT_CAPS.items + i),
    })),
  };
}

function countQuotes(brief: ModelBrief): number {
  return [...brief.keyPoints, ...brief.counterPerspectives].reduce(
    (sum, item) => sum + Math.min(item.citations.length, OUTPUT_CAPS.citations),
    0,
  );
}

function cpuSeconds(work: () => unknown): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}
