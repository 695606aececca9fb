/**
 * idle_rss_mb: resident memory of the real server (src/node.ts in its own process, offline
 * analyst, SQLite on a temp file) after start-up, and again after BRIEFS distinct briefs.
 * Reported, not gated (the issue sets no target); the growth is the figure to watch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyDocument } from '../test/support/app.js';
import { startChild } from './support/child.js';
import { round, type Figure } from './support/figure.js';

const BRIEFS = 1_000;
const PARALLEL = 4;
const SETTLE_MS = 2_000;
const DEADLINE_MS = 180_000;

export async function idleRss(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-rss-'));
  const server = await startChild('src/node.ts', {
    PORT: '0',
    LLM_PROVIDER: 'local',
    LOG_LEVEL: 'info',
    DATABASE_PATH: join(dir, 'rss.sqlite'),
  });
  try {
    await sleep(SETTLE_MS);
    const atStart = server.rssMb();
    const deadline = performance.now() + DEADLINE_MS;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < BRIEFS) {
        if (performance.now() > deadline)
          throw new Error(`idle_rss: ${next} of ${BRIEFS} briefs within ${DEADLINE_MS} ms`);
        const i = next++;
        const response = await fetch(`${server.url}/v1/briefs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: policyDocument(4, `district-${i}`), title: `Brief ${i}` }),
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status !== 201)
          throw new Error(`idle_rss: brief ${i} answered ${response.status}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    const seconds = (performance.now() - started) / 1000;
    await sleep(SETTLE_MS);
    const after = server.rssMb();
    return [
      {
        key: 'idle_rss_mb',
        value: round(atStart, 1),
        unit: 'MB',
        details: { provider: 'local (offline analyst)' },
      },
      {
        key: 'idle_rss_mb_after_1000_briefs',
        value: round(after, 1),
        unit: 'MB',
        details: {
          briefs: BRIEFS,
          growthMb: round(after - atStart, 1),
          briefsPerSecond: round(BRIEFS / seconds, 1),
        },
      },
    ];
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
