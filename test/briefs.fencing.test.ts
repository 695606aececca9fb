import { describe, expect, it } from 'vitest';
import { consumeBrief, type Delivery } from '../src/briefs/queue.js';
import { BriefView } from '../src/briefs/view.js';
import { consumePerspectives } from '../src/perspectives/queue.js';
import { PerspectivesView } from '../src/perspectives/view.js';
import { policyDocument } from './support/app.js';
import type { LlmCall } from './support/llm-server.js';
import { useLlmApp } from './support/llm-app.js';

// A Worker's queue consumer whose lease lapsed while it still ran (its renewals failing) may
// find its work taken over by another message. Its writes must not land over the new holder's:
// each is fenced by the holder (src/briefs/run.ts, src/perspectives/run.ts). Run here on Node
// with the consumers called directly, as a Worker's queue() calls them.

const ctx = useLlmApp({ BRIEF_LEASE_MS: '60000' });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const delivery = (id: string): Delivery => ({ id, attempts: 1, ack() {}, retry() {} });

describe('a consumer that lost its hold', () => {
  it('does not write a brief another message has taken over', async () => {
    const posted = await ctx.t.postJson({ text: policyDocument(4, 'fenced') }, '?wait=60');
    expect(posted.status).toBe(201);
    const { id } = BriefView.parse(await posted.json());
    leftByDeadConsumer('briefs', id);

    ctx.llm.reset();
    ctx.llm.latencyMs = 300;
    // Calls made anew, so that the run takes a while.
    const running = consumeBrief(
      ctx.t.deps.briefs,
      { kind: 'brief', briefId: id, refreshCalls: true },
      delivery('first'),
    );
    while (ctx.llm.calls.length === 0) await sleep(5);
    expect(holderOf('briefs', id)).toBe('first');
    // Its lease lapses and the sweep hands the brief to another message.
    ctx.t.sqlite.prepare("update briefs set holder = 'second' where id = ?").run(id);
    await running;

    expect(outcomeOf('briefs', id)).toEqual({ status: 'running', holder: 'second', result: null });
  });

  it('does not write a perspectives run another message has taken over', async () => {
    ctx.llm.reset();
    const claimCall = (call: LlmCall) =>
      call.body.messages?.some((message) => message.content?.includes('-----BEGIN CLAIM ')) ??
      false;
    ctx.llm.handler = (body) =>
      claimCall({ body } as LlmCall) ? JSON.stringify({ responses: [] }) : undefined;
    const ids: string[] = [];
    for (const seed of ['fenced-a', 'fenced-b']) {
      const response = await ctx.t.app.request('/v1/documents', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: policyDocument(6, seed),
      });
      ids.push(((await response.json()) as { id: string }).id);
    }
    const posted = await ctx.t.app.request('/v1/perspectives?wait=60', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents: ids }),
    });
    expect(posted.status).toBe(201);
    const { id } = PerspectivesView.parse(await posted.json());
    leftByDeadConsumer('perspectives', id);
    // Its finished calls are cached: drop them, so that the run takes a while.
    ctx.t.sqlite.prepare('delete from llm_calls').run();
    ctx.llm.reset();
    ctx.llm.handler = (body) =>
      claimCall({ body } as LlmCall) ? JSON.stringify({ responses: [] }) : undefined;
    ctx.llm.latencyMs = 300;

    const running = consumePerspectives(
      ctx.t.deps.perspectives,
      { kind: 'perspectives', perspectivesId: id },
      delivery('first'),
    );
    while (ctx.llm.calls.length === 0) await sleep(5);
    expect(holderOf('perspectives', id)).toBe('first');
    // Its lease lapses and the sweep hands it to another message.
    ctx.t.sqlite.prepare("update perspectives set holder = 'second' where id = ?").run(id);
    await running;

    expect(outcomeOf('perspectives', id)).toEqual({
      status: 'running',
      holder: 'second',
      result: null,
    });
  });
});

type Table = 'briefs' | 'perspectives';

/** What a consumer that died leaves behind: the row running, held by it, its lease lapsed. */
function leftByDeadConsumer(table: Table, id: string): void {
  ctx.t.sqlite
    .prepare(
      `update ${table} set status = 'running', result = null, finished_at = null, holder = 'dead', lease_until = 1 where id = ?`,
    )
    .run(id);
}

function outcomeOf(table: Table, id: string) {
  return ctx.t.sqlite
    .prepare(`select status, holder, result from ${table} where id = ?`)
    .get(id) as {
    status: string;
    holder: string;
    result: string | null;
  };
}

function holderOf(table: Table, id: string): string | null {
  return (
    ctx.t.sqlite.prepare(`select holder from ${table} where id = ?`).get(id) as {
      holder: string | null;
    }
  ).holder;
}
