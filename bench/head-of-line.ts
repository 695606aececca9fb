/**
 * head_of_line_ratio (issue 14): a one-chunk brief posted while a 40-chunk brief holds every
 * LLM slot (LLM_CONCURRENCY = 4, test LLM server at L ms a call), its wall time divided by its
 * time alone, measured side by side. Target ≤ 1.5.
 *
 * No call is preempted, so the short brief waits for the first slot to free: what remains of the
 * call in flight. The test server's calls all take exactly L, so the long brief's calls run in
 * lockstep rounds and that wait depends on when in a round the short brief arrives; it is posted
 * at 0.2, 0.4, 0.6 and 0.8 of a round (0.2 is the case: 200 ms into a 1 s model) and the
 * figure is the mean, each phase in `details`. A real model's calls end at scattered times, so
 * a slot frees sooner than in lockstep.
 */
import { BriefView } from '../src/briefs/view.js';
import { createTestApp, policyDocument } from '../test/support/app.js';
import type { LlmServer } from '../test/support/llm-server.js';
import { median, round, type Figure } from './support/figure.js';

const LATENCY_MS = 250;
const CONCURRENCY = 4;
const PHASES = [0.2, 0.4, 0.6, 0.8];
const TARGET = 1.5;

export async function headOfLine(llm: LlmServer): Promise<Figure> {
  const app = await createTestApp({
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: 'test-model',
    LLM_CONCURRENCY: String(CONCURRENCY),
    CHUNK_TOKENS: '300',
    CHUNK_OVERLAP_TOKENS: '30',
    // test-model is no known model: give it a window that lets partial briefs merge.
    LLM_CONTEXT_TOKENS: '128000',
  });
  const brief = async (text: string) => {
    const started = performance.now();
    const response = await app.postJson({ text }, '?wait=120');
    const ms = performance.now() - started;
    if (response.status !== 201) throw new Error(`head of line: POST answered ${response.status}`);
    return { view: BriefView.parse(await response.json()), ms };
  };
  try {
    await brief(policyDocument(2, 'head-of-line-warm-up'));
    llm.reset();
    llm.latencyMs = LATENCY_MS;
    const runs = [];
    for (const phase of PHASES) {
      const tag = `hol-${Math.round(phase * 10)}`;
      const solo = await brief(policyDocument(3, `${tag}-solo`));
      llm.reset();
      llm.latencyMs = LATENCY_MS;
      const long = brief(policyDocument(100, `${tag}-long`));
      const deadline = Date.now() + 30_000;
      while (llm.calls.length < CONCURRENCY) {
        if (Date.now() > deadline) throw new Error('head of line: the long brief made no calls');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      const at = llm.calls[0]!.time + phase * LATENCY_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));
      const behind = await brief(policyDocument(3, `${tag}-short`));
      const { view } = await long;
      if (solo.view.chunks !== 1 || behind.view.chunks !== 1 || view.chunks! < 40)
        throw new Error(`head of line: ${view.chunks} chunks behind, need 1 and ≥ 40`);
      runs.push({
        phase,
        soloMs: Math.round(solo.ms),
        behindMs: Math.round(behind.ms),
        ratio: round(behind.ms / solo.ms),
        longChunks: view.chunks,
        maxInFlight: llm.maxInFlight,
      });
    }
    const ratios = runs.map((run) => run.ratio);
    const mean = ratios.reduce((sum, ratio) => sum + ratio, 0) / ratios.length;
    return {
      key: 'head_of_line_ratio',
      value: round(mean),
      target: { op: '<=', value: TARGET },
      details: {
        latencyMs: LATENCY_MS,
        concurrency: CONCURRENCY,
        worst: Math.max(...ratios),
        medianSoloMs: Math.round(median(runs.map((run) => run.soloMs))),
        maxInFlight: Math.max(...runs.map((run) => run.maxInFlight)),
        runs,
      },
      note: `mean over arrivals at 0.2–0.8 of a call; the worst (${Math.max(...ratios)}, arriving early in a round) waits for almost a whole call`,
    };
  } finally {
    llm.latencyMs = 0;
    await app.close();
  }
}
