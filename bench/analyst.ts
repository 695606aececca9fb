/**
 * Offline analyst benchmark: briefs 100 KB, 1 MB and 4 MB of text built from the seeds, the
 * way the service would — ~200 KB chunks cut at paragraph boundaries, one map call each, then
 * a reduce tree with fan-in 4 — on one core, in this process.
 *
 *   npx tsx bench/analyst.ts
 *
 * Prints time and MB/s per size, the scaling exponent (least-squares slope of log time over
 * log size; 1 is linear, n·log n shows as a little above 1) and the peak RSS. Exits non-zero
 * when 1 MB takes more than 3 s or peak RSS passes 400 MB.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { ModelBrief } from '../src/briefs/schema.js';
import { createLocalProvider } from '../src/llm/local.js';
import type { StageInput } from '../src/llm/provider.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { PromptParams } from '../src/prompts/prompt.js';

const CHUNK_CHARS = 200_000;
const FAN_IN = 4;
const SIZES = [100_000, 1_000_000, 4_000_000];
const provider = createLocalProvider();
const params = PromptParams.parse({ reduceFanIn: FAN_IN });

/** Seeds repeated until `size` characters, each copy varied so copies are not identical. */
function corpus(size: number): string {
  const folder = new URL('../seeds/', import.meta.url);
  const seeds = readdirSync(folder)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => readFileSync(new URL(name, folder), 'utf8'));
  const parts: string[] = [];
  let length = 0;
  for (let copy = 0; length < size; copy++) {
    const seed = seeds[copy % seeds.length]!;
    const varied = seed
      .replace(/\d+/g, (digits) => String(Number(digits) + (copy % 7)))
      .replace(/^# /m, `# Part ${copy + 1}: `);
    parts.push(varied);
    length += varied.length + 2;
  }
  return normalizeText(parts.join('\n\n')).slice(0, size);
}

function chunks(text: string): Array<{ text: string; start: number; end: number }> {
  const out: Array<{ text: string; start: number; end: number }> = [];
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + CHUNK_CHARS);
    if (end < text.length) {
      const cut = text.lastIndexOf('\n\n', end);
      if (cut > start + CHUNK_CHARS / 2) end = cut;
    }
    out.push({ text: text.slice(start, end), start, end });
    start = end;
  }
  return out;
}

async function call(input: StageInput): Promise<ModelBrief> {
  const request = {
    stage: input.stage,
    messages: { system: '', user: '' },
    schema: { name: 'brief', zod: ModelBrief },
    params,
    input,
  };
  return (await provider.generate(request, provider.defaultModel)).value;
}

async function brief(text: string): Promise<ModelBrief> {
  const parts = chunks(text);
  let level: ModelBrief[] = [];
  for (const [index, chunk] of parts.entries()) {
    level.push(
      await call({
        stage: 'map',
        title: null,
        chunk: { index, ...chunk },
        chunkCount: parts.length,
      }),
    );
  }
  while (level.length > 1) {
    const next: ModelBrief[] = [];
    for (let k = 0; k < level.length; k += FAN_IN) {
      const group = level.slice(k, k + FAN_IN);
      next.push(
        group.length === 1
          ? group[0]!
          : await call({
              stage: 'reduce',
              title: null,
              partials: group,
              final: level.length <= FAN_IN,
            }),
      );
    }
    level = next;
  }
  return level[0]!;
}

async function main(): Promise<void> {
  await brief(corpus(200_000)); // warm-up: loads the wink model and compiles hot paths, as in a running service
  const rows: Array<{ size: number; seconds: number }> = [];
  for (const size of SIZES) {
    const text = corpus(size);
    const started = performance.now();
    const result = await brief(text);
    const seconds = (performance.now() - started) / 1000;
    rows.push({ size, seconds });
    console.log(
      `${(size / 1e6).toFixed(1).padStart(4)} MB  ${seconds.toFixed(2).padStart(6)} s  ${(size / 1e6 / seconds).toFixed(2).padStart(6)} MB/s  ` +
        `(${chunks(text).length} chunks, ${result.counterPerspectives.length} notes, ${result.keyPoints.length} key points)`,
    );
  }
  const xs = rows.map((r) => Math.log(r.size));
  const ys = rows.map((r) => Math.log(r.seconds));
  const mx = xs.reduce((a, b) => a + b) / xs.length;
  const my = ys.reduce((a, b) => a + b) / ys.length;
  const slope =
    xs.reduce((s, x, i) => s + (x - mx) * (ys[i]! - my), 0) /
    xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  const peakMb = process.resourceUsage().maxRSS / 1024;
  console.log(`scaling exponent ${slope.toFixed(2)} (log-log slope over ${SIZES.length} sizes)`);
  console.log(`peak RSS ${peakMb.toFixed(0)} MB`);
  const oneMb = rows.find((r) => r.size === 1_000_000)!.seconds;
  const failures = [
    oneMb > 3 ? `1 MB took ${oneMb.toFixed(2)} s (limit 3 s)` : null,
    peakMb > 400 ? `peak RSS ${peakMb.toFixed(0)} MB (limit 400 MB)` : null,
  ].filter(Boolean);
  if (failures.length > 0) {
    console.error(`FAIL: ${failures.join('; ')}`);
    process.exit(1);
  }
  console.log('ok: within 3 s per MB and 400 MB peak RSS');
}

await main();
