/**
 * token_overhead: (prompt + completion tokens of a cold brief) ÷ document tokens, for a
 * ~100k-token document, with where the extra tokens go. The target (≤ 1.3) is held at the
 * default CHUNK_TOKENS; smaller and larger budgets are reported beside it, to show the trade.
 */
import { BriefView } from '../src/briefs/view.js';
import { DEFAULT_CHUNK_TOKENS } from '../src/config.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { createTestApp, policyDocument } from '../test/support/app.js';
import type { LlmServer } from '../test/support/llm-server.js';
import { estimate, round, type Figure } from './support/figure.js';

const BUDGETS = [3_000, 8_000, DEFAULT_CHUNK_TOKENS, 32_000];
const TARGET = 1.3;
const FENCED =
  /-----BEGIN (?:DOCUMENT|PARTIALS) [0-9a-f]{32}-----\n([\s\S]*?)\n-----END (?:DOCUMENT|PARTIALS) [0-9a-f]{32}-----/;

export async function tokenOverhead(llm: LlmServer): Promise<Figure[]> {
  const document = normalizeText(policyDocument(1_600, 'token-overhead'));
  const documentTokens = estimate(document.length);
  const rows: Record<string, unknown>[] = [];
  let atDefault:
    | { ratio: number; breakdown: Record<string, number>; instructionTokens: number }
    | undefined;

  for (const budget of BUDGETS) {
    const app = await createTestApp({
      OPENAI_BASE_URL: llm.url,
      LLM_MODEL: 'test-model',
      CHUNK_TOKENS: String(budget),
      // The bench measures the pipeline on long documents, not issue 17's cap.
      MAX_CHUNKS_PER_BRIEF: '100000',
    });
    try {
      llm.reset();
      const response = await app.postJson({ text: document, title: 'Token overhead' }, '?wait=120');
      if (response.status !== 201)
        throw new Error(`token overhead: POST answered ${response.status}`);
      const view = BriefView.parse(await response.json());
      const sent = view.usage!.promptTokens + view.usage!.completionTokens;
      const ratio = sent / documentTokens;
      // Where the tokens go, in fractions of the document's own tokens.
      const parts = { mapInstructions: 0, chunkText: 0, reduceInstructions: 0, reduceInputs: 0 };
      for (const call of llm.calls) {
        const system = call.body.messages?.find((m) => m.role === 'system')?.content ?? '';
        const user = call.body.messages?.find((m) => m.role === 'user')?.content ?? '';
        const data = FENCED.exec(user)?.[1] ?? '';
        const instructions = estimate(system.length + user.length - data.length);
        if (call.stage === 'map') {
          parts.mapInstructions += instructions;
          parts.chunkText += estimate(data.length);
        } else {
          parts.reduceInstructions += instructions;
          parts.reduceInputs += estimate(data.length);
        }
      }
      const breakdown = {
        document: 1,
        mapInstructions: round(parts.mapInstructions / documentTokens),
        overlap: round((parts.chunkText - documentTokens) / documentTokens),
        reduceInstructions: round(parts.reduceInstructions / documentTokens),
        reduceInputs: round(parts.reduceInputs / documentTokens),
        completions: round(view.usage!.completionTokens / documentTokens),
      };
      const maps = llm.calls.filter((c) => c.stage === 'map').length;
      rows.push({
        chunkTokens: budget,
        chunks: view.chunks,
        mapCalls: maps,
        reduceCalls: llm.calls.length - maps,
        ratio: round(ratio),
        breakdown,
      });
      if (budget === DEFAULT_CHUNK_TOKENS)
        atDefault = {
          ratio,
          breakdown,
          instructionTokens: Math.round(parts.mapInstructions / maps),
        };
    } finally {
      await app.close();
    }
  }
  if (!atDefault) throw new Error('token overhead: the default budget was not measured');
  return [
    {
      key: 'token_overhead',
      value: round(atDefault.ratio),
      target: { op: '<=', value: TARGET },
      details: {
        documentTokens,
        chunkTokens: DEFAULT_CHUNK_TOKENS,
        breakdown: atDefault.breakdown,
        instructionTokensPerMapCall: atDefault.instructionTokens,
        byChunkTokens: rows,
      },
      note:
        `at the default CHUNK_TOKENS=${DEFAULT_CHUNK_TOKENS}; each map call repeats ~${atDefault.instructionTokens} instruction tokens; ` +
        "completions are the test server's fake model, shorter than a real model's",
    },
  ];
}
