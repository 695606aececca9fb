/**
 * singleflight_calls: LLM calls made for 100 identical concurrent POSTs of a new document over
 * real HTTP, divided by the pipeline calls of one brief of it. Target 1.0.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { BriefView } from '../src/briefs/view.js';
import { createTestApp, policyDocument } from '../test/support/app.js';
import type { LlmServer } from '../test/support/llm-server.js';
import { round, type Figure } from './support/figure.js';

const REQUESTS = 100;

export async function singleFlight(llm: LlmServer): Promise<Figure> {
  const app = await createTestApp({
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: 'test-model',
    CHUNK_TOKENS: '300',
    // The bench measures the pipeline on long documents, not issue 17's cap.
    MAX_CHUNKS_PER_BRIEF: '100000',
    CHUNK_OVERLAP_TOKENS: '30',
  });
  const server = serve({ fetch: app.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    llm.reset();
    llm.latencyMs = 50;
    const body = JSON.stringify({ text: policyDocument(40, 'single-flight') });
    const responses = await Promise.all(
      Array.from({ length: REQUESTS }, () =>
        fetch(`http://127.0.0.1:${port}/v1/briefs?wait=60`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(60_000),
        }),
      ),
    );
    const views = await Promise.all(
      responses.map(async (response) => BriefView.parse(await response.json())),
    );
    const statuses = Object.fromEntries(
      [...new Set(responses.map((r) => r.status))].map((status) => [
        status,
        responses.filter((r) => r.status === status).length,
      ]),
    );
    const ids = new Set(views.map((view) => view.id));
    const oneBrief = views[0]!.usage!.calls;
    const made = llm.calls.length;
    return {
      key: 'singleflight_calls',
      value: round(made / oneBrief),
      target: { op: '==', value: 1 },
      details: {
        requests: REQUESTS,
        llmCallsMade: made,
        callsOfOneBrief: oneBrief,
        distinctBriefIds: ids.size,
        statuses,
        briefRows: app.rows().briefs,
      },
    };
  } finally {
    llm.latencyMs = 0;
    server.close();
    await app.close();
  }
}
