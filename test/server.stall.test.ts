import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useServerProcess } from './support/server-process.js';
import { healthzLatencies, percentile } from './support/stall.js';

// A real server (src/node.ts) briefing a long document with the offline analyst, which reads
// on a worker thread: /healthz must keep answering while it works. On the main thread the same
// brief held /healthz for ~1.9 s.

describe('the server stays responsive during a long offline brief', () => {
  const ctx = useServerProcess();

  it('answers /healthz within 100 ms while a 300 KB document is briefed', async () => {
    const paper = readFileSync('seeds/water-transfer-white-paper.md', 'utf8');
    const text = [1, 2, 3].map((i) => `${paper}\n\nAppendix ${i}.`).join('\n\n');
    // The thread is warmed at start-up; give it a moment, as a server has before its first brief.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const brief = fetch(`${ctx.server.url}/v1/briefs?wait=120`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: text,
    }).then((response) => response.status);
    const { result, latencies } = await healthzLatencies(ctx.server.url, brief);
    expect(result).toBe(201);
    expect(latencies.length).toBeGreaterThan(10);
    // Other test files share these 2 cores, so one sample may be late for reasons of its own;
    // the 95th percentile is the figure that says the loop was free.
    expect(percentile(latencies, 95)).toBeLessThan(100);
  }, 120_000);
});
