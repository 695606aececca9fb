/**
 * Load test (loopback only, bounded): CLIENTS concurrent clients for SECONDS against the real
 * server, a mix of cached GETs and POSTs of new documents, with the OpenAI-compatible test
 * server injecting faults into one LLM request in FAULT_EVERY. Then it checks: zero 5xx from
 * Parallax, every accepted brief reaches a final state, and the database passes integrity_check.
 *
 *   npm run bench:load [-- --clients 200 --seconds 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { createNodeRuntime } from '../src/runtime-node.js';
import { policyDocument } from '../test/support/app.js';
import { startLlmServer, type LlmFault } from '../test/support/llm-server.js';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '30' },
    'post-share': { type: 'string', default: '0.1' },
    'fault-every': { type: 'string', default: '7' },
  },
});
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const POST_SHARE = Number(values['post-share']);
const FAULT_EVERY = Number(values['fault-every']);

const faults: LlmFault[] = [
  { status: 500 },
  { status: 503 },
  { status: 429, headers: { 'retry-after-ms': '100' } },
  'reset',
];

const llm = await startLlmServer({ latencyMs: 40 });
// Inject a fault into every FAULT_EVERY-th LLM request (each recoverable within the retry budget).
let llmRequests = 0;
const injector = setInterval(() => {
  while (llm.calls.length + 4 > llmRequests) {
    llmRequests += FAULT_EVERY;
    llm.enqueue(faults[(llmRequests / FAULT_EVERY) % faults.length]!);
  }
}, 20);

const dir = mkdtempSync(join(tmpdir(), 'parallax-load-'));
const runtime = await createNodeRuntime({
  DATABASE_PATH: join(dir, 'load.sqlite'),
  OPENAI_BASE_URL: llm.url,
  LLM_MODEL: 'test-model',
  LLM_MAX_RETRIES: '3',
  LLM_TIMEOUT_MS: '5000',
  LLM_CONCURRENCY: '16',
  CHUNK_TOKENS: '400',
  // The bench measures the pipeline on long documents, not issue 17's cap.
  MAX_CHUNKS_PER_BRIEF: '100000',
  LOG_LEVEL: 'warn',
});
const server = serve({ fetch: runtime.app.fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// Cached briefs to read.
const cached: string[] = [];
for (let i = 0; i < 20; i++) {
  const response = await fetch(`${base}/v1/briefs`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: policyDocument(4, `seed-${i}`),
  });
  cached.push(((await response.json()) as { id: string }).id);
}

const statuses = new Map<number, number>();
const accepted: string[] = [];
let requests = 0;
let networkErrors = 0;
let posted = 0;
const deadline = performance.now() + SECONDS * 1000;

async function client(index: number): Promise<void> {
  let k = 0;
  while (performance.now() < deadline) {
    k++;
    const write = (index * 31 + k * 17) % 1000 < POST_SHARE * 1000;
    try {
      const response = write
        ? await fetch(`${base}/v1/briefs?wait=0`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: policyDocument(3 + (k % 6), `load-${index}-${k}-${posted++}`),
          })
        : await fetch(`${base}/v1/briefs/${cached[k % cached.length]}`);
      const body = (await response.json()) as { id?: string };
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (write && body.id && response.status < 300) accepted.push(body.id);
    } catch {
      networkErrors++;
    }
    requests++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: CLIENTS }, (_, i) => client(i)));
const elapsed = (performance.now() - started) / 1000;

// Drain: every accepted brief must reach a final state.
const drainStarted = performance.now();
const stillRunning = () =>
  (
    runtime.sqlite.prepare("select count(*) as n from briefs where status = 'running'").get() as {
      n: number;
    }
  ).n;
while (stillRunning() > 0 && performance.now() - drainStarted < 120_000)
  await new Promise((r) => setTimeout(r, 200));
const drainSeconds = (performance.now() - drainStarted) / 1000;
const finals = runtime.sqlite
  .prepare('select status, count(*) as n from briefs group by status')
  .all() as { status: string; n: number }[];
const integrity = runtime.sqlite.pragma('integrity_check', { simple: true });

clearInterval(injector);
server.close();
await runtime.close();
await llm.close();
rmSync(dir, { recursive: true, force: true });

const fiveXX = [...statuses].filter(([code]) => code >= 500).reduce((sum, [, n]) => sum + n, 0);
const unfinished = finals.find((row) => row.status === 'running')?.n ?? 0;
const figures = {
  clients: CLIENTS,
  seconds: Math.round(elapsed * 10) / 10,
  requests,
  requestsPerSecond: Math.round(requests / elapsed),
  statuses: Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
  networkErrors,
  fiveXX,
  accepted: accepted.length,
  llmCalls: llm.calls.length,
  llmFaultsInjected: Math.floor(llmRequests / FAULT_EVERY),
  finalStates: Object.fromEntries(finals.map((row) => [row.status, row.n])),
  drainSeconds: Math.round(drainSeconds * 10) / 10,
  integrity,
};
console.log(JSON.stringify(figures, null, 2));
const ok = fiveXX === 0 && networkErrors === 0 && unfinished === 0 && integrity === 'ok';
console.log(ok ? 'ok: no 5xx, every accepted brief finished, integrity ok' : 'FAILED');
process.exit(ok ? 0 : 1);
