import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { policyDocument } from './support/app.js';
import { startLlmServer, type LlmServer } from './support/llm-server.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';

/**
 * A real server process killed with SIGKILL in the middle of a brief, then started again on the
 * same SQLite file: the file is intact, the brief does not stay `running`, and the map results
 * finished before the kill are reused rather than paid for again.
 */
let llm: LlmServer;
let dir: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  llm = await startLlmServer({ latencyMs: 40 });
  dir = mkdtempSync(join(tmpdir(), 'parallax-crash-'));
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await llm.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `src/node.ts` on a free port and resolves with its base URL once it listens. */
async function startServer(): Promise<string> {
  const started = await startProcess();
  child = started.process;
  return started.url;
}

function startProcess(): Promise<ServerProcess> {
  return spawnServer(['src/node.ts'], {
    PORT: '0',
    DATABASE_PATH: join(dir, 'parallax.sqlite'),
    OPENAI_BASE_URL: llm.url,
    LLM_MODEL: 'test-model',
    CHUNK_TOKENS: '300',
    LLM_CONCURRENCY: '2',
    BRIEF_LEASE_MS: '600',
  });
}

async function kill(): Promise<void> {
  const exited = new Promise((resolve) => child!.once('exit', resolve));
  child!.kill('SIGKILL');
  await exited;
}

async function until<T>(
  check: () => Promise<T | undefined> | T | undefined,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('SIGKILL mid-brief', () => {
  for (const round of [1, 2, 3]) {
    it(`round ${round}: the database stays intact and the brief resumes from the cached map results`, async () => {
      const url = await startServer();
      const text = policyDocument(60, `crash-round-${round}`);
      const accepted = await fetch(`${url}/v1/briefs?wait=0`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: text,
      });
      expect(accepted.status).toBe(202);
      const { id } = BriefView.parse(await accepted.json());

      // Let a few map results reach the cache, then kill the process without warning.
      const path = join(dir, 'parallax.sqlite');
      const peek = new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      const cachedBefore = (
        peek.prepare('select count(*) as n from llm_calls').get() as { n: number }
      ).n;
      await until(() =>
        (peek.prepare('select count(*) as n from llm_calls').get() as { n: number }).n >=
        cachedBefore + 4
          ? true
          : undefined,
      );
      peek.close();
      await kill();

      const db = new BetterSqlite3(path);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare('select status from briefs where id = ?').get(id)).toEqual({
        status: 'running',
      });
      const cachedAtKill =
        (db.prepare('select count(*) as n from llm_calls').get() as { n: number }).n - cachedBefore;
      db.close();
      expect(cachedAtKill).toBeGreaterThanOrEqual(4);

      // A new process resumes it once the dead one's lease lapses.
      const again = await startServer();
      const done = await until(async () => {
        const view = BriefView.parse(await (await fetch(`${again}/v1/briefs/${id}`)).json());
        return view.status === 'running' ? undefined : view;
      });
      expect(done.status).toBe('succeeded');
      expect(done.usage!.cachedCalls).toBeGreaterThanOrEqual(cachedAtKill);
      expect(done.usage!.calls).toBeGreaterThan(done.usage!.cachedCalls);
      await kill();
    }, 60_000);
  }
});

describe('two processes on one SQLite file', () => {
  it('run an identical brief once between them', async () => {
    const [first, second] = await Promise.all([startProcess(), startProcess()]);
    try {
      llm.reset();
      const text = policyDocument(12, 'two-processes');
      const post = (url: string) =>
        fetch(`${url}/v1/briefs`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: text,
        });
      const responses = await Promise.all([
        post(first.url),
        post(second.url),
        post(first.url),
        post(second.url),
      ]);
      const views = await Promise.all(responses.map(async (r) => BriefView.parse(await r.json())));
      expect(new Set(views.map((v) => v.id)).size).toBe(1);
      expect(views.every((v) => v.status === 'succeeded')).toBe(true);
      expect(llm.calls).toHaveLength(views[0]!.usage!.calls);
    } finally {
      first.process.kill('SIGKILL');
      second.process.kill('SIGKILL');
    }
  }, 60_000);
});

describe('SIGTERM', () => {
  it('lets the running brief finish, then exits cleanly', async () => {
    const url = await startServer();
    const accepted = await fetch(`${url}/v1/briefs?wait=0`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: policyDocument(30, 'graceful'),
    });
    const { id } = BriefView.parse(await accepted.json());
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child!.kill('SIGTERM');
    expect(await exited).toBe(0);
    const db = new BetterSqlite3(join(dir, 'parallax.sqlite'), { readonly: true });
    expect(db.prepare('select status from briefs where id = ?').get(id)).toEqual({
      status: 'succeeded',
    });
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  }, 60_000);
});
