import { describe, expect, it, vi } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { estimateTokens } from '../src/llm/tokens.js';
import { chunkText } from '../src/pipeline/chunk.js';
import { type Chunker, runChunkTask } from '../src/pipeline/chunk-task.js';
import { contentKey, planReduce } from '../src/pipeline/map-reduce.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

const CONCURRENCY = 3;
const ctx = useLlmApp({
  CHUNK_TOKENS: '300',
  CHUNK_OVERLAP_TOKENS: '30',
  MAX_CHUNKS_PER_BRIEF: '1000',
  LLM_CONCURRENCY: String(CONCURRENCY),
});

const isMap = (call: { stage?: string }) => call.stage === 'map';
const isReduce = (call: { stage?: string }) => call.stage === 'reduce';

describe('a long document', () => {
  const document = policyDocument(220);

  it('goes through map and a reduce tree with at most the configured concurrency', async () => {
    ctx.llm.latencyMs = 15;
    const response = await ctx.t.postJson({ text: document, prompt: 'brief@1' });
    expect(response.status).toBe(201);
    const view = BriefView.parse(await response.json());
    const chunks = view.chunks!;
    expect(chunks).toBeGreaterThanOrEqual(40);

    const maps = ctx.llm.calls.filter(isMap).length;
    const reduces = ctx.llm.calls.filter(isReduce).length;
    expect(maps).toBe(chunks);
    const k = view.params.reduceFanIn as number;
    // Merge groups hold up to 2k nodes (src/pipeline/map-reduce.ts, planReduce), so a tree over
    // N leaves has between ⌈(N-1)/(2k-1)⌉ and N-1 inner nodes.
    expect(reduces).toBeGreaterThanOrEqual(Math.ceil((chunks - 1) / (2 * k - 1)));
    expect(reduces).toBeLessThan(chunks);
    expect(view.usage).toMatchObject({
      calls: maps + reduces,
      cachedCalls: 0,
      requests: maps + reduces,
    });

    expect(ctx.llm.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
    expect(ctx.llm.maxInFlight).toBe(CONCURRENCY);
    ctx.llm.latencyMs = 0;

    // Every verified citation points at its own text in the source.
    for (const point of view.brief!.keyPoints) {
      for (const citation of point.citations) {
        expect(citation.verified).toBe(true);
        expect(document.slice(citation.start!, citation.end!)).toBe(citation.quote);
      }
    }
  });

  it('re-runs only the edited chunk and its reduce path after one paragraph changes', async () => {
    const before = BriefView.parse(
      await (await ctx.t.postJson({ text: document, prompt: 'brief@1' })).json(),
    );
    ctx.llm.reset();
    const paragraphs = document.split('\n\n');
    paragraphs[110] = paragraphs[110]!.replace(
      'the housing programme',
      'the revised housing programme',
    );
    const response = await ctx.t.postJson({ text: paragraphs.join('\n\n'), prompt: 'brief@1' });
    expect(response.status).toBe(201);
    const after = BriefView.parse(await response.json());
    expect(after.id).not.toBe(before.id);

    const maps = ctx.llm.calls.filter(isMap).length;
    const reduces = ctx.llm.calls.filter(isReduce).length;
    const k = after.params.reduceFanIn as number;
    const levels = Math.ceil(Math.log(after.chunks!) / Math.log(k));
    expect(maps).toBeGreaterThanOrEqual(1);
    expect(maps).toBeLessThanOrEqual(2);
    expect(reduces).toBeLessThanOrEqual(maps * levels);
    expect(after.usage!.cachedCalls).toBe(after.usage!.calls - maps - reduces);
  });
});

describe('an edit that adds a chunk', () => {
  it('re-runs only the chunks whose text changed and the merges above them (brief@5, the default)', async () => {
    const original = normalizeText(policyDocument(400, 'incremental'));
    const before = BriefView.parse(await (await ctx.t.postJson({ text: original })).json());
    expect(before.prompt.ref).toBe('brief@5');
    ctx.llm.reset();

    // A new paragraph of ~450 tokens in the middle: at 300-token chunks it adds at least one chunk.
    const paragraphs = original.split('\n\n');
    const added = Array.from(
      { length: 30 },
      (_, i) => `The committee heard evidence session ${i} on the added clause.`,
    ).join(' ');
    paragraphs.splice(200, 0, added);
    const edited = paragraphs.join('\n\n');
    const response = await ctx.t.postJson({ text: edited });
    expect(response.status).toBe(201);
    const after = BriefView.parse(await response.json());
    expect(after.chunks).toBeGreaterThan(before.chunks!);

    const chunksOf = (text: string) =>
      chunkText(text, { maxTokens: 300, overlapTokens: 30, countTokens: estimateTokens });
    const known = new Set(chunksOf(original).map((chunk) => chunk.text));
    const afterChunks = chunksOf(edited);
    const changed = afterChunks.map((chunk) => !known.has(chunk.text));
    // The merges with a changed chunk below them, in the tree mapReduce builds.
    let dirty = changed;
    let mergesOnPath = 0;
    for (const groups of planReduce(
      afterChunks.map((chunk) => contentKey(chunk.text)),
      after.params.reduceFanIn as number,
    )) {
      dirty = groups.map(({ start, end }) => {
        const below = dirty.slice(start, end).some(Boolean);
        if (below && end - start > 1) mergesOnPath++;
        return below;
      });
    }
    const maps = ctx.llm.calls.filter(isMap).length;
    const reduces = ctx.llm.calls.filter(isReduce).length;
    expect(maps).toBe(changed.filter(Boolean).length);
    expect(maps).toBeLessThan(after.chunks! / 10); // the new text's chunks and their overlapping neighbours, not every chunk after them
    expect(reduces).toBeLessThanOrEqual(mergesOnPath);
    expect(after.usage!.cachedCalls).toBe(after.usage!.calls - maps - reduces);
  });
});

describe('identical requests at once', () => {
  it('share one pipeline run', async () => {
    ctx.llm.latencyMs = 50;
    const text = policyDocument(30, 'transport');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => ctx.t.postJson({ text, prompt: 'brief@2' })),
    );
    const views = await Promise.all(responses.map(async (r) => BriefView.parse(await r.json())));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect(views.every((v) => v.status === 'succeeded')).toBe(true);
    const statuses = responses.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 200)).toBe(true);

    const oneRun = views[0]!.usage!.calls;
    expect(ctx.llm.calls).toHaveLength(oneRun);
    expect(
      ctx.t.sqlite
        .prepare('select count(*) as n from briefs where document_id = ?')
        .get(views[0]!.document.id),
    ).toEqual({ n: 1 });
    ctx.llm.latencyMs = 0;
  });
});

describe('map calls while the document is cut', () => {
  /**
   * The run's chunker replaced by one that hands over the first chunk, then `then` (the model
   * has its call by then, or the test fails), then the rest; it records whether it streamed.
   */
  async function withChunker(
    then: () => Promise<void>,
    post: () => Response | Promise<Response>,
  ): Promise<{ response: Response; streamed: boolean }> {
    const briefs = ctx.t.deps.briefs;
    const original = briefs.chunk;
    let streamed = false;
    const chunker: Chunker = async (task, onChunk) => {
      const chunks = runChunkTask(task);
      if (!onChunk) return chunks;
      streamed = true;
      onChunk(chunks[0]!);
      await vi.waitFor(() => expect(ctx.llm.calls.some(isMap)).toBe(true), { timeout: 5_000 });
      await then();
      for (const chunk of chunks.slice(1)) onChunk(chunk);
      return chunks;
    };
    briefs.chunk = chunker;
    try {
      return { response: await post(), streamed };
    } finally {
      briefs.chunk = original;
    }
  }

  it('start as chunks are cut, each once, under a prompt without {{chunkCount}} (brief@5)', async () => {
    let mapsBeforeTheRest = 0;
    const { response, streamed } = await withChunker(
      async () => {
        mapsBeforeTheRest = ctx.llm.calls.filter(isMap).length;
      },
      () => ctx.t.postJson({ text: policyDocument(40, 'streamed') }),
    );
    expect(response.status).toBe(201);
    expect(streamed).toBe(true);
    expect(mapsBeforeTheRest).toBe(1);
    const view = BriefView.parse(await response.json());
    expect(view.chunks).toBeGreaterThan(5);
    expect(ctx.llm.calls.filter(isMap)).toHaveLength(view.chunks!);
    // The same calls as when every chunk is cut first: run again so, each call is the cache's.
    const briefs = ctx.t.deps.briefs;
    const original = briefs.chunk;
    briefs.chunk = (task) => original(task);
    try {
      const again = await ctx.t.postJson(
        { text: policyDocument(40, 'streamed') },
        '?refresh=brief',
      );
      expect(again.status).toBe(201);
      expect(BriefView.parse(await again.json()).usage).toMatchObject({ requests: 0 });
    } finally {
      briefs.chunk = original;
    }
  });

  it('wait for the count under a prompt that names it (brief@1)', async () => {
    let onChunkGiven: boolean | undefined;
    const briefs = ctx.t.deps.briefs;
    const original = briefs.chunk;
    briefs.chunk = async (task, onChunk) => {
      onChunkGiven = onChunk !== undefined;
      return original(task);
    };
    try {
      const response = await ctx.t.postJson({
        text: policyDocument(40, 'counted'),
        prompt: 'brief@1',
      });
      expect(response.status).toBe(201);
    } finally {
      briefs.chunk = original;
    }
    expect(onChunkGiven).toBe(false);
  });

  it('are cancelled when the rest of the document cannot be cut', async () => {
    ctx.llm.latencyMs = 2_000;
    const started = performance.now();
    const { response } = await withChunker(
      async () => {
        throw new Error('the work thread stopped');
      },
      () => ctx.t.postJson({ text: policyDocument(40, 'cut short') }),
    );
    ctx.llm.latencyMs = 0;
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('internal');
    // The started call was cancelled: the model's connection closes long before its answer.
    await vi.waitFor(() => expect(ctx.llm.inFlight).toBe(0), { timeout: 1_000 });
    expect(performance.now() - started).toBeLessThan(1_500);
    expect(ctx.llm.calls.filter(isMap)).toHaveLength(1);
  });
});
