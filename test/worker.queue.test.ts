import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { EvalDetail } from '../src/evals/view.js';
import { PerspectivesView } from '../src/perspectives/view.js';
import { createTestApp, policyDocument, type TestApp } from './support/app.js';
import { startLlmServer, type LlmCall, type LlmServer } from './support/llm-server.js';
import {
  createLocalState,
  startLocalWorker,
  workerdUnavailable,
  type LocalState,
  type LocalWorker,
} from './support/wrangler.js';

// Long briefs on the Worker go through its work queue (wrangler.toml's WORK_QUEUE; Queues and
// cron triggers run offline under `wrangler dev`), against the OpenAI-compatible test server,
// which counts the calls in flight. The runtime is killed mid-brief and started again on the
// same local state; a second `wrangler dev` on that state is a second isolate of the same
// deployment, with its own queue consumer. Skipped only when workerd cannot run here.

const unavailable = workerdUnavailable();
if (unavailable)
  console.warn(`worker.queue.test.ts skipped: workerd cannot run on this machine (${unavailable})`);

/** LLM_GLOBAL_CONCURRENCY: below one invocation's LLM_CONCURRENCY (6), so only the slot table can hold it. */
const BUDGET = 3;
const LEASE_MS = 3_000;
const MAX_ATTEMPTS = 3;
const STARTUP_MS = 150_000;

const isMap = (call: LlmCall) => call.stage === 'map';
/** The chunk a map call read: the fenced document in its user message. */
const chunkOf = (call: LlmCall) =>
  /-----BEGIN DOCUMENT [0-9a-f]{32}-----\n([\s\S]*?)\n-----END DOCUMENT/.exec(
    call.body.messages?.find((message) => message.role === 'user')?.content ?? '',
  )?.[1];

describe.skipIf(unavailable !== null)('long work on the Worker, through its queue', () => {
  let llm: LlmServer;
  let state: LocalState;
  let worker: LocalWorker;
  let node: TestApp;
  let vars: Record<string, string>;
  const chunking = {
    LLM_MODEL: 'test-model',
    CHUNK_TOKENS: '300',
    CHUNK_OVERLAP_TOKENS: '30',
    MAX_CHUNKS_PER_BRIEF: '1000',
  };

  beforeAll(async () => {
    llm = await startLlmServer();
    node = await createTestApp({ OPENAI_BASE_URL: llm.url, ...chunking, LLM_CONCURRENCY: '3' });
    vars = {
      OPENAI_BASE_URL: llm.url,
      ...chunking,
      LLM_CONCURRENCY: '6',
      LLM_GLOBAL_CONCURRENCY: String(BUDGET),
      LLM_MAX_RETRIES: '0',
      BRIEF_LEASE_MS: String(LEASE_MS),
      BRIEF_POLL_MS: '250',
      BRIEF_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    };
    state = createLocalState({ startupMs: STARTUP_MS });
    worker = await startLocalWorker({ startupMs: STARTUP_MS, state, vars, testScheduled: true });
  }, STARTUP_MS + 30_000);

  afterAll(async () => {
    await worker?.close();
    state?.remove();
    await node?.close();
    await llm?.close();
  }, 30_000);

  /** The D1 database as workerd wrote it, read from its SQLite file. */
  function d1<T>(query: string, ...params: unknown[]): T | undefined {
    const db = new Database(state.d1File(), { readonly: true, fileMustExist: true });
    try {
      return db.prepare(query).get(...params) as T | undefined;
    } finally {
      db.close();
    }
  }

  async function post(base: LocalWorker, text: string, query: string) {
    return fetch(`${base.url}/v1/briefs?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: text,
    });
  }

  async function read(base: LocalWorker, id: string): Promise<BriefView> {
    const response = await fetch(`${base.url}/v1/briefs/${id}`);
    expect(response.status, base.output()).toBe(200);
    return BriefView.parse(await response.json());
  }

  /** Reads the brief until it is no longer running, calling `check` after every read. */
  async function finished(
    base: LocalWorker,
    id: string,
    check: (view: BriefView, readAt: number) => void = () => {},
  ): Promise<BriefView> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const readAt = Date.now();
      const view = await read(base, id);
      check(view, readAt);
      if (view.status !== 'running') return view;
      if (Date.now() > deadline) throw new Error(`brief ${id} still running\n${base.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const made = (view: BriefView) => ({
    status: view.status,
    document: view.document,
    prompt: view.prompt,
    provider: view.provider,
    model: view.model,
    params: view.params,
    chunks: view.chunks,
    calls: view.usage?.calls,
    brief: view.brief,
  });

  it('answers 202 at once and makes a 40-chunk brief in the queue consumer, equal to the Node app’s', async () => {
    llm.reset();
    llm.latencyMs = 20;
    const document = policyDocument(100, 'housing');
    const started = Date.now();
    const posted = await post(worker, document, 'wait=0&prompt=brief@1&title=Housing');
    expect(posted.status, worker.output()).toBe(202);
    // The POST chunks the document (to refuse one with too many chunks) and sends an id to the queue.
    expect(Date.now() - started).toBeLessThan(15_000);
    const accepted = BriefView.parse(await posted.json());
    expect(accepted.status).toBe('running');

    const view = await finished(worker, accepted.id);
    expect(view.status, worker.output()).toBe('succeeded');
    expect(view.chunks).toBeGreaterThanOrEqual(40);
    expect(llm.calls.filter(isMap)).toHaveLength(view.chunks!);
    expect(llm.maxInFlight).toBeLessThanOrEqual(BUDGET);
    // The broker's log line for a delivered batch (printed once the consumer returns): the
    // consumer, not the request, ran it.
    const logged = Date.now() + 10_000;
    while (!/QUEUE parallax-work 1\/1/.test(worker.output()) && Date.now() < logged)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(worker.output()).toMatch(/QUEUE parallax-work 1\/1/);

    const fromNode = await node.app.request('/v1/briefs?wait=120&prompt=brief@1&title=Housing', {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: document,
    });
    expect(fromNode.status).toBe(201);
    expect(made(view)).toEqual(made(BriefView.parse(await fromNode.json())));
  }, 240_000);

  it('finishes a brief whose runtime was killed mid-brief, re-using the calls it had finished, and never reads running past its lease', async () => {
    llm.reset();
    llm.latencyMs = 250;
    const document = policyDocument(100, 'transport');
    const cachedMaps = () =>
      d1<{ n: number }>("select count(*) as n from llm_calls where stage = 'map'")!.n;
    const cachedBefore = cachedMaps();
    const posted = await post(worker, document, 'wait=0&prompt=brief@1');
    expect(posted.status, worker.output()).toBe(202);
    const { id } = BriefView.parse(await posted.json());

    const deadline = Date.now() + 120_000;
    while (llm.calls.filter(isMap).length < 12 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await worker.kill();
    const requestedBeforeKill = llm.calls.filter(isMap).length;
    const stored = d1<{ status: string; chunks: number }>(
      'select status, chunks from briefs where id = ?',
      id,
    )!;
    expect(stored.status).toBe('running');
    const chunks = stored.chunks;
    expect(chunks).toBeGreaterThanOrEqual(40);
    // Map calls that had finished (stored in the LLM-call cache) when the runtime died.
    const finishedBeforeKill = cachedMaps() - cachedBefore;
    expect(finishedBeforeKill).toBeGreaterThan(0);
    expect(finishedBeforeKill).toBeLessThan(chunks);

    const mark = llm.calls.length;
    worker = await startLocalWorker({ startupMs: STARTUP_MS, state, vars, testScheduled: true });
    // Its lease lapsed while the runtime was down: the first read sends it to the queue again.
    const view = await finished(worker, id, (read, readAt) => {
      if (read.status !== 'running') return;
      const row = d1<{ status: string; lease_until: number | null }>(
        'select status, lease_until from briefs where id = ?',
        id,
      )!;
      if (row.status === 'running') expect(row.lease_until!).toBeGreaterThanOrEqual(readAt);
    });
    expect(view.status, worker.output()).toBe('succeeded');
    expect(view.chunks).toBe(chunks);

    const mapsAfter = llm.calls.slice(mark).filter(isMap);
    // Each chunk not finished before the kill was asked for once more; no finished one again.
    expect(new Set(mapsAfter.map(chunkOf)).size).toBe(mapsAfter.length);
    expect(mapsAfter).toHaveLength(chunks - finishedBeforeKill);
    expect(requestedBeforeKill + mapsAfter.length).toBeLessThan(2 * chunks);
    expect(view.usage!.cachedCalls).toBeGreaterThanOrEqual(finishedBeforeKill);
    expect(d1<{ attempts: number }>('select attempts from briefs where id = ?', id)!.attempts).toBe(
      2,
    );
  }, 300_000);

  /** Stores the two harbour seeds on the Worker; their ids. */
  async function storeHarbourSeeds(): Promise<string[]> {
    const stored: string[] = [];
    for (const name of ['harbour-closure-company-statement.md', 'harbour-closure-union-reply.md']) {
      const response = await fetch(`${worker.url}/v1/documents`, {
        method: 'POST',
        headers: { 'content-type': 'text/markdown' },
        body: readFileSync(`seeds/${name}`, 'utf8'),
      });
      // 201 the first time, 200 once stored.
      expect([200, 201], worker.output()).toContain(response.status);
      stored.push(((await response.json()) as { id: string }).id);
    }
    return stored;
  }

  /** Reads a perspectives run until it is no longer running. */
  async function perspectivesFinished(id: string): Promise<PerspectivesView> {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const response = await fetch(`${worker.url}/v1/perspectives/${id}`);
      expect(response.status, worker.output()).toBe(200);
      const view = PerspectivesView.parse(await response.json());
      if (view.status !== 'running') return view;
      if (Date.now() > deadline)
        throw new Error(`perspectives ${id} still running\n${worker.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const claimCall = (call: LlmCall) =>
    call.body.messages?.some((message) => message.content?.includes('-----BEGIN CLAIM ')) ?? false;

  it('keeps three long briefs and a perspectives run, all through the queue, within LLM_GLOBAL_CONCURRENCY', async () => {
    llm.reset();
    llm.latencyMs = 100;
    llm.handler = (body) =>
      claimCall({ body } as LlmCall) ? JSON.stringify({ responses: [] }) : undefined;
    const stored = await storeHarbourSeeds();

    const documents = ['energy', 'health', 'schools'].map((seed) => policyDocument(100, seed));
    const ids = await Promise.all(
      documents.map(async (document) => {
        const posted = await post(worker, document, 'wait=0&prompt=brief@2');
        expect(posted.status, worker.output()).toBe(202);
        return BriefView.parse(await posted.json()).id;
      }),
    );
    while (llm.calls.filter(isMap).length < 10)
      await new Promise((resolve) => setTimeout(resolve, 50));
    // A perspectives run goes to the queue too: the request answers at once.
    const perspectives = await fetch(`${worker.url}/v1/perspectives?wait=0`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: stored }),
    });
    expect(perspectives.status, worker.output()).toBe(202);
    const { id: perspectivesId } = PerspectivesView.parse(await perspectives.json());
    const views = await Promise.all(ids.map((id) => finished(worker, id)));
    for (const view of views) expect(view.status).toBe('succeeded');
    expect((await perspectivesFinished(perspectivesId)).status).toBe('succeeded');
    expect(llm.calls.some(claimCall)).toBe(true);

    expect(llm.maxInFlight).toBeLessThanOrEqual(BUDGET);
    // The budget was used, not merely unreached: one invocation alone may have six calls in flight.
    expect(llm.maxInFlight).toBe(BUDGET);
  }, 300_000);

  it('has the cron trigger send a perspectives run whose consumer died to the queue again, answered from the LLM-call cache', async () => {
    llm.reset();
    llm.handler = (body) =>
      claimCall({ body } as LlmCall) ? JSON.stringify({ responses: [] }) : undefined;
    const stored = await storeHarbourSeeds();
    const posted = await fetch(`${worker.url}/v1/perspectives?wait=60`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: stored }),
    });
    expect([200, 201], worker.output()).toContain(posted.status);
    const made = PerspectivesView.parse(await posted.json());
    expect(made.status).toBe('succeeded');
    const calls = llm.calls.length;

    // What a consumer that died leaves behind: a running row, held by nobody alive, its lease lapsed.
    const db = new Database(state.d1File(), { fileMustExist: true });
    try {
      db.prepare(
        "update perspectives set status = 'running', result = null, finished_at = null, holder = 'dead', lease_until = 1 where id = ?",
      ).run(made.id);
    } finally {
      db.close();
    }
    const cron = await fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`);
    expect(cron.status, worker.output()).toBe(200);
    const view = await perspectivesFinished(made.id);
    expect(view.status, worker.output()).toBe('succeeded');
    expect(view.result).toEqual(made.result);
    // Every call came from the LLM-call cache.
    expect(llm.calls).toHaveLength(calls);
  }, 120_000);

  it('retries a brief whose LLM endpoint fails, then fails it after BRIEF_MAX_ATTEMPTS; a new POST runs it again', async () => {
    llm.reset();
    const document = policyDocument(3, 'fisheries');
    llm.enqueue(...Array.from({ length: MAX_ATTEMPTS }, () => ({ status: 503 })));
    const posted = await post(worker, document, 'wait=0&prompt=brief@1');
    expect(posted.status, worker.output()).toBe(202);
    const { id } = BriefView.parse(await posted.json());
    const failed = await finished(worker, id);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('llm_unavailable');
    // One call an attempt, the queue delivering it again 5 s and then 10 s later.
    expect(llm.calls).toHaveLength(MAX_ATTEMPTS);
    expect(llm.calls[2]!.time - llm.calls[0]!.time).toBeGreaterThan(14_000);
    expect(d1<{ attempts: number }>('select attempts from briefs where id = ?', id)!.attempts).toBe(
      MAX_ATTEMPTS,
    );

    const again = await post(worker, document, 'wait=60&prompt=brief@1');
    expect(again.status, worker.output()).toBe(201);
    expect(BriefView.parse(await again.json()).id).toBe(id);
  }, 120_000);

  it('has the cron trigger send a brief whose message was lost to the queue again, answered from the LLM-call cache', async () => {
    llm.reset();
    const document = policyDocument(12, 'water');
    const posted = await post(worker, document, 'wait=60&prompt=brief@2');
    expect(posted.status, worker.output()).toBe(201);
    const made = BriefView.parse(await posted.json());
    const calls = llm.calls.length;
    expect(calls).toBeGreaterThan(1);

    // What a lost message leaves behind: a running row, held by nobody alive, its lease lapsed.
    const db = new Database(state.d1File(), { fileMustExist: true });
    try {
      db.prepare(
        "update briefs set status = 'running', result = null, finished_at = null, holder = 'lost', lease_until = 1 where id = ?",
      ).run(made.id);
    } finally {
      db.close();
    }
    const cron = await fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`);
    expect(cron.status, worker.output()).toBe(200);
    const deadline = Date.now() + 60_000;
    let row = d1<{ status: string }>('select status from briefs where id = ?', made.id)!;
    while (row.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      row = d1<{ status: string }>('select status from briefs where id = ?', made.id)!;
    }
    const view = await read(worker, made.id);
    expect(view.status, worker.output()).toBe('succeeded');
    expect(view.brief).toEqual(made.brief);
    expect(llm.calls).toHaveLength(calls);
    expect(view.usage).toMatchObject({ calls: made.usage!.calls, cachedCalls: made.usage!.calls });
  }, 120_000);

  it('runs a corpus evaluation through the queue to its report', async () => {
    llm.reset();
    const corpus = ['ports', 'rail'].map((seed, index) => ({
      id: `doc-${index + 1}`,
      title: `The ${seed} plan`,
      document: policyDocument(4, seed),
    }));
    const posted = await fetch(`${worker.url}/v1/evals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompts: ['brief@1', 'brief@2'], documents: corpus }),
    });
    expect(posted.status, worker.output()).toBe(202);
    const { id } = (await posted.json()) as { id: string };
    const deadline = Date.now() + 120_000;
    let detail: EvalDetail;
    for (;;) {
      const response = await fetch(`${worker.url}/v1/evals/${id}`);
      expect(response.status).toBe(200);
      detail = EvalDetail.parse(await response.json());
      if (detail.status !== 'running' || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(detail.status, worker.output()).toBe('succeeded');
    expect(detail.progress).toEqual({ done: 4, total: 4 });
    const report = detail.report as {
      run: { briefs: number; failures: number };
      documents: { id: string; versions: { status: string }[] }[];
    };
    expect(report.run).toMatchObject({ briefs: 4, failures: 0 });
    for (const document of report.documents)
      expect(document.versions.map((version) => version.status)).toEqual([
        'succeeded',
        'succeeded',
      ]);
    expect(report.documents.map((document) => document.id).sort()).toEqual(['doc-1', 'doc-2']);
    expect(llm.calls.length).toBeGreaterThanOrEqual(4);
  }, 180_000);
});
