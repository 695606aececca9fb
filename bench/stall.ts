/**
 * The worst single request's event-loop stall (issue 17; target < 100 ms): a real server
 * (src/node.ts, its own process) is sent one heavy request at a time while a third process
 * asks it for /healthz every 20 ms; the figure is the slowest /healthz answer during each
 * request. Bodies are built before the clock starts.
 * `npm run bench:stall`; prints a table, figures only. Loopback only; every request bounded.
 *
 * Cases, each at the size the default settings accept:
 * - a 7 MB text document (8 MiB of bytes is the default limit), offline analyst (read on the analyst's worker thread);
 * - the same 7 MB through the openai provider (test LLM server, model gpt-4o-mini so the real
 *   tokenizer chunks it);
 * - perspectives over five 200 KB documents, offline;
 * - HTML at the depth and element caps, and the largest accepted PDF (MAX_PDF_PAGES pages of
 *   one shared content stream: issue 17's amplification, at the size the caps let through).
 *
 * Each row also gives the server's RSS before the request and its peak during it (sampled every
 * 20 ms), and a line after the table gives the PDF's cost: its text and its brief's chunks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LINE, sharedStreamPdf } from '../test/support/documents.js';
import { rssMbOf } from './support/child.js';
import { startLlmServer } from '../test/support/llm-server.js';
import { spawnServer, type ServerProcess } from '../test/support/server-process.js';
import { percentile } from '../test/support/stall.js';

const paper = readFileSync('seeds/water-transfer-white-paper.md', 'utf8');

/** `bytes` of real prose: the white paper repeated, each copy numbered so no two are alike. */
function prose(bytes: number, label: string): string {
  const parts: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const part = `${paper}\n\nAppendix ${label}-${i}.\n\n`;
    parts.push(part);
    size += part.length;
  }
  return parts.join('').slice(0, bytes);
}

interface Case {
  name: string;
  /**
   * Makes the request's body (and, for perspectives, stores its documents) before measuring,
   * then returns the request itself: building 7 MB of text is this process's work, not the server's.
   */
  prepare: (server: ServerProcess) => Promise<() => Promise<Answer>>;
}

interface Answer {
  status: number;
  body: unknown;
}

const post = (server: ServerProcess, path: string, body: BodyInit, type: string) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body }).then(
    async (response): Promise<Answer> => ({
      status: response.status,
      body: await response.json().catch(() => undefined),
    }),
  );

const cases: Case[] = [
  {
    name: '7 MB text, offline analyst',
    prepare: async (s) => {
      const text = prose(7_000_000, 'a');
      return () => post(s, '/v1/briefs?wait=300', text, 'text/plain');
    },
  },
  {
    name: 'perspectives over 5 × 200 KB, offline',
    prepare: async (s) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const response = await fetch(`${s.url}/v1/documents`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: prose(200_000, `p${i}`),
        });
        ids.push(((await response.json()) as { id: string }).id);
      }
      const body = JSON.stringify({ documents: ids });
      return () => post(s, '/v1/perspectives?wait=300', body, 'application/json');
    },
  },
  {
    name: 'HTML at the caps (depth 30, ~2,000 elements)',
    prepare: async (s) => {
      const items = Array.from({ length: 1_960 }, (_, i) => `<p>${i}. ${LINE}</p>`).join('');
      const body = `${'<div>'.repeat(28)}${items}${'</div>'.repeat(28)}`;
      const html = `<!doctype html><html><head><title>Caps</title></head><body>${body}</body></html>`;
      return () => post(s, '/v1/briefs?wait=300', html, 'text/html');
    },
  },
  {
    name: 'largest accepted PDF (500 pages × 50 lines, one shared stream)',
    prepare: async (s) => {
      const pdf = await sharedStreamPdf(500, 50);
      return () => post(s, '/v1/briefs?wait=300', pdf, 'application/pdf');
    },
  },
];

/**
 * /healthz asked every 20 ms from a process of its own, so that this process's work (the test
 * LLM server answering the openai case's 154 calls, reading responses) does not count as the
 * server's: the latencies, once `stop` is called.
 */
function probeHealthz(url: string): { stop: () => Promise<number[]> } {
  const script = `
    const latencies = [];
    let done = false;
    process.stdin.on('end', () => { done = true; });
    process.stdin.resume();
    (async () => {
      while (!done) {
        const started = performance.now();
        const response = await fetch(${JSON.stringify(`${url}/healthz`)});
        await response.arrayBuffer();
        latencies.push(performance.now() - started);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // The first answers include this process's own start (loading fetch): not the server's.
      process.stdout.write(JSON.stringify(latencies.slice(5)));
    })();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    stop: async () => {
      child.stdin.end();
      await exited;
      return JSON.parse(output) as number[];
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'parallax-stall-'));
const PDF_CASE = cases.find((item) => item.name.startsWith('largest accepted PDF'))!;
const notes: string[] = [];
const rows: string[][] = [
  [
    'request',
    'status',
    'wall (s)',
    '/healthz p50 / p95 / max (ms)',
    'server RSS before → peak (MB)',
  ],
];
let worst = 0;
const measure = async (server: ServerProcess, item: Case): Promise<Answer> => {
  const request = await item.prepare(server);
  const probe = probeHealthz(server.url);
  // The prober warms up (its first five answers are not counted) before the request starts.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const pid = server.process.pid!;
  const before = rssMbOf(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMbOf(pid))), 20);
  const started = performance.now();
  const result = await request();
  const wallS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, rssMbOf(pid));
  const latencies = await probe.stop();
  const max = Math.max(...latencies);
  worst = Math.max(worst, max);
  rows.push([
    item.name,
    String(result.status),
    wallS.toFixed(1),
    `${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 95).toFixed(0)} / ${max.toFixed(0)}`,
    `${before.toFixed(0)} → ${peak.toFixed(0)}`,
  ]);
  return result;
};

/**
 * What the largest accepted PDF costs besides time (issue 17: a 158 KB PDF of shared streams
 * once read as 2,334 chunks, 2.3 GB of RSS): the text it yields and the chunks, so the analyst
 * or LLM calls, of its brief.
 */
async function pdfCost(server: ServerProcess, answer: Answer): Promise<string> {
  const view = answer.body as { chunks: number | null; document: { id: string } };
  const document = (await (
    await fetch(`${server.url}/v1/documents/${view.document.id}`)
  ).json()) as { chars: number; pages: number };
  return `largest accepted PDF: ${document.pages} pages, ${document.chars.toLocaleString('en')} characters of text, ${view.chunks} chunk(s) (so ${view.chunks} map calls and their merges)`;
}
try {
  const local = await spawnServer(['src/node.ts'], {
    PORT: '0',
    DATABASE_PATH: join(dir, 'local.sqlite'),
    LLM_PROVIDER: 'local',
  });
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // the analyst thread warms up
  try {
    for (const item of cases) {
      const answer = await measure(local, item);
      if (item === PDF_CASE) notes.push(await pdfCost(local, answer));
    }
  } finally {
    local.process.kill();
  }
  const llm = await startLlmServer();
  const remote = await spawnServer(['src/node.ts'], {
    PORT: '0',
    DATABASE_PATH: join(dir, 'openai.sqlite'),
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: 'gpt-4o-mini',
  });
  try {
    await measure(remote, {
      name: '7 MB text, openai provider (real tokenizer)',
      prepare: async (s) => {
        const text = prose(7_000_000, 'o');
        return () => post(s, '/v1/briefs?wait=300', text, 'text/plain');
      },
    });
  } finally {
    remote.process.kill();
    await llm.close();
  }
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  for (const note of notes) console.log(`\n${note}`);
  console.log(
    `\nworst /healthz answer during one request: ${worst.toFixed(0)} ms (target < 100 ms)`,
  );
  if (worst >= 100) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
