/**
 * cached_read_ratio and cached_post_ratio: requests/s of the real server (src/node.ts, its own
 * process, SQLite on a temp file) for GET /v1/briefs/:id and for a POST of an already-briefed
 * document, each divided by requests/s of a bare Hono app on the same @hono/node-server serving
 * the same JSON from memory (bench/bare-server.ts, its own process). autocannon drives both
 * from this process on 127.0.0.1, alternating real and bare in ROUNDS rounds; the figure is the
 * median of the per-round ratios, so a burst of noise on the machine hits one round, not both sides.
 */
import autocannon from 'autocannon';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from './support/child.js';
import { median, round, type Figure } from './support/figure.js';

const ROUNDS = 3;
const SECONDS = 4;
const CONNECTIONS = 10;

interface Load {
  url: string;
  method: 'GET' | 'POST';
  body?: string;
}

export async function httpRatios(): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-bench-http-'));
  // LOG_LEVEL info, as deployed: the server writes its access-log line for every request (the bare app logs nothing).
  const real = await startChild('src/node.ts', { PORT: '0', LLM_PROVIDER: 'local', LOG_LEVEL: 'info', DATABASE_PATH: join(dir, 'bench.sqlite') });
  try {
    const text = readFileSync('seeds/rail-link-op-ed.md', 'utf8');
    const post = JSON.stringify({ text, title: 'Rail link op-ed' });
    const created = await fetch(`${real.url}/v1/briefs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: post });
    if (created.status !== 201) throw new Error(`http bench: first POST answered ${created.status}`);
    const { id } = (await created.json()) as { id: string };
    const json = await (await fetch(`${real.url}/v1/briefs/${id}`)).text();
    writeFileSync(join(dir, 'brief.json'), json);
    const bare = await startChild('bench/bare-server.ts', { BARE_JSON_PATH: join(dir, 'brief.json') });
    try {
      const loads = {
        realGet: { url: `${real.url}/v1/briefs/${id}`, method: 'GET' },
        bareGet: { url: `${bare.url}/brief`, method: 'GET' },
        realPost: { url: `${real.url}/v1/briefs`, method: 'POST', body: post },
        barePost: { url: `${bare.url}/brief`, method: 'POST', body: post },
      } satisfies Record<string, Load>;
      for (const load of Object.values(loads)) await measure(load, 1); // warm-up: JIT, SQLite page cache
      const runs: Record<keyof typeof loads, Measured[]> = { realGet: [], bareGet: [], realPost: [], barePost: [] };
      for (let r = 0; r < ROUNDS; r++) {
        for (const name of Object.keys(loads) as (keyof typeof loads)[]) runs[name].push(await measure(loads[name], SECONDS));
      }
      const figure = (key: string, realRuns: Measured[], bareRuns: Measured[], target: number): Figure => ({
        key,
        value: round(median(realRuns.map((m, i) => m.rps / bareRuns[i]!.rps))),
        target: { op: '>=', value: target },
        details: {
          rps: { real: round(median(realRuns.map((m) => m.rps)), 0), bare: round(median(bareRuns.map((m) => m.rps)), 0) },
          p50Ms: { real: median(realRuns.map((m) => m.p50)), bare: median(bareRuns.map((m) => m.p50)) },
          p99Ms: { real: median(realRuns.map((m) => m.p99)), bare: median(bareRuns.map((m) => m.p99)) },
          rounds: realRuns.map((m, i) => round(m.rps / bareRuns[i]!.rps)),
          responseBytes: json.length,
          connections: CONNECTIONS,
          seconds: SECONDS,
        },
      });
      return [
        figure('cached_read_ratio', runs.realGet, runs.bareGet, 0.8),
        { ...figure('cached_post_ratio', runs.realPost, runs.barePost, 0.5), note: `POST body ${post.length} bytes` },
      ];
    } finally {
      await bare.stop();
    }
  } finally {
    await real.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Measured {
  rps: number;
  p50: number;
  p99: number;
}

async function measure(load: Load, seconds: number): Promise<Measured> {
  const result = await autocannon({
    url: load.url,
    method: load.method,
    ...(load.body ? { body: load.body, headers: { 'content-type': 'application/json' } } : {}),
    connections: CONNECTIONS,
    duration: seconds,
  });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`http bench: ${load.method} ${load.url}: ${result.errors} errors, ${result.non2xx} non-2xx`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
}
