import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

// Issue 14's case with a slot in reserve (LLM_RESERVED_SLOTS=1): a one-chunk brief posted while a
// 40-chunk brief's first round holds the slots it may does not wait for any of its calls to end.
// Without the reserve (test/briefs.fairness.test.ts) it waits for the first one: up to 2× its time.

const CONCURRENCY = 4;
const LATENCY_MS = 300;
const ctx = useLlmApp({
  CHUNK_TOKENS: '300',
  CHUNK_OVERLAP_TOKENS: '30',
  MAX_CHUNKS_PER_BRIEF: '1000',
  LLM_CONTEXT_TOKENS: '128000',
  LLM_CONCURRENCY: String(CONCURRENCY),
  LLM_RESERVED_SLOTS: '1',
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function brief(text: string) {
  const started = performance.now();
  const response = await ctx.t.postJson({ text, prompt: 'brief@1' }, '?wait=60');
  const ms = performance.now() - started;
  expect(response.status, await response.clone().text()).toBe(201);
  return { view: BriefView.parse(await response.json()), ms };
}

describe('a reserved slot', () => {
  it('lets a one-chunk brief posted behind a 40-chunk one finish within 1.5× its time alone', async () => {
    await brief(policyDocument(2, 'warm-up'));
    ctx.llm.latencyMs = LATENCY_MS;
    const solos: number[] = [];
    for (const seed of ['solo-one', 'solo-two', 'solo-three'])
      solos.push((await brief(policyDocument(3, seed))).ms);
    const solo = solos.sort((a, b) => a - b)[1]!;
    ctx.llm.reset();
    ctx.llm.latencyMs = LATENCY_MS;

    const long = brief(policyDocument(100, 'long'));
    const deadline = Date.now() + 20_000;
    while (ctx.llm.calls.length < CONCURRENCY - 1 && Date.now() < deadline) await sleep(5);
    // As in the user's case: a fifth of a call after the long brief's first round started.
    await sleep(LATENCY_MS / 5);
    // Alone, the long brief held three slots of four.
    expect(ctx.llm.maxInFlight).toBe(CONCURRENCY - 1);
    const short = await brief(policyDocument(3, 'short'));
    const { view: longView } = await long;
    expect(longView.chunks).toBeGreaterThanOrEqual(40);
    expect(short.view.chunks).toBe(1);

    expect(short.ms / solo).toBeLessThan(1.5);
    expect(ctx.llm.maxInFlight).toBe(CONCURRENCY);
  });
});
