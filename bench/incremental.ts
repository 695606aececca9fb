/**
 * incremental_calls: LLM calls made to re-brief a ≥64-chunk document after one paragraph
 * changed, beside the lower bound: the chunks whose text changed, plus the reduce calls above
 * them (the inner nodes of the reduce tree that have a changed leaf below them). Several
 * single-paragraph edits at different places, each against the original's cached calls.
 */
import { BriefView } from '../src/briefs/view.js';
import { estimateTokens } from '../src/llm/tokens.js';
import { chunkText } from '../src/pipeline/chunk.js';
import { contentKey, planReduce } from '../src/pipeline/map-reduce.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { createTestApp, policyDocument } from '../test/support/app.js';
import { fakeModel, type ChatRequest, type LlmServer } from '../test/support/llm-server.js';
import type { Figure } from './support/figure.js';

const CHUNK_TOKENS = 300;
const OVERLAP_TOKENS = 30;
const EDITED_AT = [0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9];

export async function incremental(llm: LlmServer): Promise<Figure[]> {
  const app = await createTestApp({
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: 'test-model',
    CHUNK_TOKENS: String(CHUNK_TOKENS),
    // The bench measures the pipeline on long documents, not issue 17's cap.
    MAX_CHUNKS_PER_BRIEF: '100000',
    CHUNK_OVERLAP_TOKENS: String(OVERLAP_TOKENS),
  });
  // The default fake answers from a chunk's first sentences, so an edit further down would not
  // change its output and the reduce calls above it would be cache hits. A real model's answer
  // depends on its whole input: so does this one's headline.
  llm.handler = wholeInputModel;
  try {
    const original = normalizeText(policyDocument(420, 'incremental'));
    const first = await app.postJson({ text: original }, '?wait=120');
    const fanIn = (BriefView.parse(await first.json()).params.reduceFanIn as number) ?? 4;
    const before = chunksOf(original);
    const cases = [];
    for (const at of EDITED_AT) {
      const paragraphs = original.split('\n\n');
      const index = Math.floor(paragraphs.length * at);
      paragraphs[index] = paragraphs[index]!.replace('programme', 'revised programme');
      const edited = paragraphs.join('\n\n');
      llm.reset();
      const response = await app.postJson({ text: edited }, '?wait=120');
      if (response.status !== 201) throw new Error(`incremental: POST answered ${response.status}`);
      const after = chunksOf(edited);
      const known = new Set(before);
      const changed = after.map((text) => !known.has(text));
      const bound =
        changed.filter(Boolean).length +
        reducePath(changed, planReduce(after.map(contentKey), fanIn));
      cases.push({
        paragraph: index,
        chunksBefore: before.length,
        chunksAfter: after.length,
        changedChunks: changed.filter(Boolean).length,
        calls: llm.calls.length,
        mapCalls: llm.calls.filter((c) => c.stage === 'map').length,
        bound,
      });
    }
    const calls = cases.reduce((sum, c) => sum + c.calls, 0);
    const bound = cases.reduce((sum, c) => sum + c.bound, 0);
    const over = cases.filter((c) => c.calls > c.bound);
    // Held per edit: calls above an edit's bound are waste; an edit may land below its bound when
    // a reduce input happens to be unchanged and the call is answered from the cache.
    const excess = cases.reduce((sum, c) => sum + Math.max(0, c.calls - c.bound), 0);
    return [
      { key: 'incremental_calls', value: calls, details: { bound } },
      {
        key: 'incremental_calls_excess',
        value: excess,
        target: { op: '==', value: 0 },
        details: { edits: cases.length, calls, bound, cases },
        ...(over.length
          ? {
              note:
                `${over.length} of ${cases.length} edits exceed the bound` +
                '; a merge group can also change without a changed chunk in it, when an edit makes a new group boundary (src/pipeline/map-reduce.ts, planReduce)',
            }
          : {}),
      },
    ];
  } finally {
    llm.handler = undefined;
    await app.close();
  }
}

const FENCED_DATA = /-----BEGIN (?:DOCUMENT|PARTIALS) [0-9a-f]{32}-----\n([\s\S]*?)\n-----END/;

function wholeInputModel(body: ChatRequest) {
  const user = body.messages?.find((m) => m.role === 'user')?.content ?? '';
  const brief = fakeModel(body);
  let hash = 0x811c9dc5;
  for (const char of FENCED_DATA.exec(user)?.[1] ?? '')
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193);
  return { ...brief, headline: `${brief.headline} [${(hash >>> 0).toString(16)}]` };
}

function chunksOf(text: string): string[] {
  return chunkText(text, {
    maxTokens: CHUNK_TOKENS,
    overlapTokens: OVERLAP_TOKENS,
    countTokens: estimateTokens,
  }).map((c) => c.text);
}

/** Merge calls of the tree mapReduce builds (planReduce) that have a changed leaf below them. */
function reducePath(changed: boolean[], plan: ReturnType<typeof planReduce>): number {
  let level = changed;
  let calls = 0;
  for (const groups of plan) {
    level = groups.map(({ start, end }) => {
      const dirty = level.slice(start, end).some(Boolean);
      if (end - start > 1 && dirty) calls++;
      return dirty;
    });
  }
  return calls;
}
