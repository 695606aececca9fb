import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { EvalSummary } from '../src/evals/view.js';
import { policyDocument } from './support/app.js';
import type { LlmCall } from './support/llm-server.js';
import { useLlmApp } from './support/llm-app.js';

// Issue 14: with one FIFO queue for the process, a one-chunk brief posted just after a 40-chunk
// brief waited for all 40 of its calls. The limit now takes turns between briefs
// (src/pipeline/fair-limit.ts), and an evaluation's briefs wait while a user's calls queue.

const CONCURRENCY = 4;
const LATENCY_MS = 200;
const settings = {
  CHUNK_TOKENS: '300',
  CHUNK_OVERLAP_TOKENS: '30',
  MAX_CHUNKS_PER_BRIEF: '1000',
  // test-model is no known model: give it a window that lets partial briefs merge.
  LLM_CONTEXT_TOKENS: '128000',
  LLM_CONCURRENCY: String(CONCURRENCY),
};
const ctx = useLlmApp(settings);
/** The same, with a slot in reserve (LLM_RESERVED_SLOTS). */
const reserved = useLlmApp({ ...settings, LLM_RESERVED_SLOTS: '1' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Whether a call reads the document generated with `seed` (map) or partial briefs quoting it (reduce). */
const reads = (seed: string) => (call: LlmCall) =>
  JSON.stringify(call.body.messages).includes(`the ${seed} programme`);

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

/** POSTs a document and waits for its brief; resolves to the brief and the wall time in ms. */
async function brief(text: string, app = ctx) {
  const started = performance.now();
  const response = await app.t.postJson({ text, prompt: 'brief@1' }, '?wait=60');
  const ms = performance.now() - started;
  expect(response.status, await response.clone().text()).toBe(201);
  return { view: BriefView.parse(await response.json()), ms };
}

describe('two briefs at once', () => {
  it('a one-chunk brief posted just after a 40-chunk one waits for one call of it, not all of them', async () => {
    await brief(policyDocument(2, 'warm-up')); // the SDK's lazy modules, the connections
    ctx.llm.latencyMs = LATENCY_MS;
    // Its time alone, side by side with the run below (the median of three, each a new document).
    const solos: number[] = [];
    for (const seed of ['solo-one', 'solo-two', 'solo-three'])
      solos.push((await brief(policyDocument(3, seed))).ms);
    const solo = solos.sort((a, b) => a - b)[1]!;
    ctx.llm.reset();
    ctx.llm.latencyMs = LATENCY_MS;

    const long = brief(policyDocument(100, 'long'));
    // The user's case, scaled: the short brief comes 1/5 of a call after the long one's first round started.
    await until(() => ctx.llm.calls.length >= CONCURRENCY, "the long brief's first calls");
    await sleep(LATENCY_MS / 5);
    const short = await brief(policyDocument(3, 'short'));
    const { view: longView } = await long;
    expect(longView.chunks).toBeGreaterThanOrEqual(40);
    expect(short.view.chunks).toBe(1);

    // Its call went out when the first slot freed: right after the long brief's first round.
    // One queue for all would have sent it after all 40-odd map calls.
    const shortCall = ctx.llm.calls.findIndex(reads('short'));
    expect(shortCall).toBeGreaterThanOrEqual(CONCURRENCY);
    expect(shortCall).toBeLessThan(2 * CONCURRENCY);
    // So its time is its own plus what remained of one call (4/5 of L), with room for a loaded machine.
    expect(short.ms).toBeLessThan(solo + 1.5 * LATENCY_MS);
    expect(short.ms / solo).toBeLessThan(2.5);
    expect(ctx.llm.maxInFlight).toBe(CONCURRENCY);
  });
});

describe('an evaluation and a user at once', () => {
  it("the evaluation's brief yields every slot to the user's brief while its calls wait", async () => {
    await brief(policyDocument(2, 'warm-up-too'));
    ctx.llm.latencyMs = LATENCY_MS;
    const solo = await brief(policyDocument(20, 'alone'));
    expect(solo.view.chunks).toBeGreaterThanOrEqual(2 * CONCURRENCY);
    ctx.llm.reset();
    ctx.llm.latencyMs = LATENCY_MS;

    const response = await ctx.t.app.request('/v1/evals', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        prompts: ['brief@1'],
        documents: [{ id: 'long', document: policyDocument(100, 'evaluated') }],
      }),
    });
    expect(response.status).toBe(202);
    const evaluation = EvalSummary.parse(await response.json());
    await until(() => ctx.llm.calls.length >= CONCURRENCY, "the evaluation's first calls");
    const user = await brief(policyDocument(20, 'interactive'));

    const calls = ctx.llm.calls;
    const first = calls.findIndex(reads('interactive'));
    const lastMap = calls.findLastIndex(
      (call) => call.stage === 'map' && reads('interactive')(call),
    );
    expect(lastMap - first + 1).toBe(user.view.chunks);
    // From the first of the user's calls to the last of its maps, no call of the evaluation went out:
    // each slot the evaluation's calls freed went to the user's brief.
    expect(calls.slice(first, lastMap + 1).filter(reads('evaluated'))).toEqual([]);
    expect(first).toBeLessThan(2 * CONCURRENCY);
    // It waited for one call of the evaluation at its start, and at most one more before each
    // merge level (a slot it left idle between its own calls went to the evaluation meanwhile);
    // one queue for all would have added the evaluation's ~36 waiting calls (9 calls' time).
    expect(user.ms).toBeLessThan(solo.ms + 5 * LATENCY_MS);

    // The evaluation still finishes, and the limit held throughout.
    let status = evaluation.status;
    const deadline = Date.now() + 20_000;
    while (status === 'running' && Date.now() < deadline) {
      await sleep(50);
      const read = await ctx.t.app.request(`/v1/evals/${evaluation.id}`);
      status = EvalSummary.parse(await read.json()).status;
    }
    expect(status).toBe('succeeded');
    expect(ctx.llm.maxInFlight).toBe(CONCURRENCY);
  });
});

// With a slot in reserve, a one-chunk brief posted while a 40-chunk brief's first round holds the
// slots it may does not wait for any of its calls to end. Without (above) it waits for the first
// one: up to 2× its time.
describe('a reserved slot', () => {
  const RESERVE_LATENCY_MS = 300;

  it('lets a one-chunk brief posted behind a 40-chunk one finish within 1.5× its time alone', async () => {
    await brief(policyDocument(2, 'warm-up'), reserved);
    reserved.llm.latencyMs = RESERVE_LATENCY_MS;
    const solos: number[] = [];
    for (const seed of ['solo-one', 'solo-two', 'solo-three'])
      solos.push((await brief(policyDocument(3, seed), reserved)).ms);
    const solo = solos.sort((a, b) => a - b)[1]!;
    reserved.llm.reset();
    reserved.llm.latencyMs = RESERVE_LATENCY_MS;

    const long = brief(policyDocument(100, 'long'), reserved);
    await until(() => reserved.llm.calls.length >= CONCURRENCY - 1, "the long brief's first calls");
    // As in the user's case: a fifth of a call after the long brief's first round started.
    await sleep(RESERVE_LATENCY_MS / 5);
    // Alone, the long brief held three slots of four.
    expect(reserved.llm.maxInFlight).toBe(CONCURRENCY - 1);
    const short = await brief(policyDocument(3, 'short'), reserved);
    const { view: longView } = await long;
    expect(longView.chunks).toBeGreaterThanOrEqual(40);
    expect(short.view.chunks).toBe(1);

    expect(short.ms / solo).toBeLessThan(1.5);
    expect(reserved.llm.maxInFlight).toBe(CONCURRENCY);
  });
});
