import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Comparison } from '../src/compare/compare.js';
import { Health } from '../src/routes/health.js';
import { BriefView } from '../src/briefs/view.js';
import { ErrorBody } from '../src/errors.js';
import { createTestApp, type TestApp } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

// A server with a language model also offers the offline analyst: a request names its provider.
const ctx = useLlmApp();
const TEXT =
  'The Ministry said the new levy will raise 40 million a year. Retailers say the figure ignores lost trade. The plan is the only sensible choice.';

describe('choosing the provider', () => {
  it('GET /healthz lists the providers, the configured model first', async () => {
    const health = Health.parse(await (await ctx.t.app.request('/healthz')).json());
    expect(health).toMatchObject({ provider: 'openai', model: 'test-model' });
    expect(health.providers).toEqual([
      { name: 'openai', defaultModel: 'test-model' },
      { name: 'local', defaultModel: 'analyst-3' },
    ]);
  });

  it("briefs with the offline analyst when asked, with no LLM call, and caches it apart from the model's brief", async () => {
    const local = await ctx.t.postJson({ text: TEXT, provider: 'local' });
    expect(local.status).toBe(201);
    const localView = BriefView.parse(await local.json());
    expect(localView).toMatchObject({ status: 'succeeded', provider: 'local', model: 'analyst-3' });
    expect(ctx.llm.calls).toHaveLength(0);

    const model = BriefView.parse(await (await ctx.t.postJson({ text: TEXT })).json());
    expect(model).toMatchObject({
      status: 'succeeded',
      provider: 'openai',
      model: 'test-model',
      document: { id: localView.document.id },
    });
    expect(model.id).not.toBe(localView.id);
    expect(ctx.llm.calls).toHaveLength(1);

    const again = await ctx.t.postJson({ text: TEXT, provider: 'local' });
    expect(again.status).toBe(200);
    expect(BriefView.parse(await again.json()).id).toBe(localView.id);

    // The two readings of one document side by side, by id; and the list filters by provider.
    const compared = await ctx.t.app.request(`/v1/compare?briefs=${model.id},${localView.id}`);
    expect(compared.status).toBe(200);
    expect(Comparison.parse(await compared.json())).toMatchObject({
      a: { provider: 'openai' },
      b: { provider: 'local' },
    });
    const listed = await (
      await ctx.t.app.request(`/v1/briefs?document=${model.document.id}&provider=local`)
    ).json();
    expect(listed.items.map((item: BriefView) => item.id)).toEqual([localView.id]);
  });

  it('compares two prompt versions of the offline analyst on a server whose default is the model', async () => {
    const made = BriefView.parse(
      await (
        await ctx.t.postJson({
          text: `${TEXT} Small shops were not consulted.`,
          provider: 'local',
          prompt: 'brief@1',
        })
      ).json(),
    );
    const missing = await ctx.t.app.request(
      `/v1/compare?document=${made.document.id}&a=brief@1&b=brief@2&provider=local`,
    );
    expect(missing.status).toBe(404);
    expect(ErrorBody.parse(await missing.json()).error.message).toContain('(local, analyst-3)');
    const compared = await ctx.t.app.request(
      `/v1/compare?document=${made.document.id}&a=brief@1&b=brief@2&provider=local&run=true`,
    );
    expect(compared.status).toBe(200);
    const comparison = Comparison.parse(await compared.json());
    expect([comparison.a.provider, comparison.b.provider]).toEqual(['local', 'local']);
    expect(comparison.a.id).toBe(made.id);
    expect(ctx.llm.calls).toHaveLength(0);
  });

  it('refuses a provider the server does not have, and a model the analyst does not have, writing nothing', async () => {
    const before = ctx.t.rows();
    const unknown = await ctx.t.postJson({ text: TEXT, provider: 'anthropic' });
    expect(unknown.status).toBe(400);
    expect(ErrorBody.parse(await unknown.json()).error.message).toBe(
      'Unknown provider "anthropic"; this server has openai and local',
    );
    const model = await ctx.t.postJson({ text: TEXT, provider: 'local', model: 'gpt-4o' });
    expect(model.status).toBe(400);
    expect(ErrorBody.parse(await model.json()).error.message).toContain(
      'The local provider has one model',
    );
    expect(ctx.t.rows()).toEqual(before);
  });

  it("takes the provider from a raw body's query and from an upload's form field", async () => {
    const raw = await ctx.t.app.request('/v1/briefs?provider=local', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `${TEXT} Raw.`,
    });
    expect(BriefView.parse(await raw.json()).provider).toBe('local');
    const form = new FormData();
    form.set('file', new Blob([`${TEXT} Uploaded.`], { type: 'text/plain' }), 'levy.txt');
    form.set('provider', 'local');
    const uploaded = await ctx.t.app.request('/v1/briefs', { method: 'POST', body: form });
    expect(BriefView.parse(await uploaded.json()).provider).toBe('local');
    expect(ctx.llm.calls).toHaveLength(0);
  });

  it('lets the web form choose the provider', async () => {
    const form = new FormData();
    form.set('text', `${TEXT} From the form.`);
    form.set('provider', 'local');
    const response = await ctx.t.app.request('/briefs', { method: 'POST', body: form });
    expect(response.status).toBe(303);
    const id = /\/briefs\/(brf_\w+)$/.exec(response.headers.get('location')!)![1]!;
    expect(
      BriefView.parse(await (await ctx.t.app.request(`/v1/briefs/${id}`)).json()).provider,
    ).toBe('local');
    const home = await (await ctx.t.app.request('/')).text();
    expect(home).toContain(
      '<option value="openai" selected="">openai: the language model endpoint</option><option value="local">local: the offline analyst</option>',
    );
  });
});

describe('LLM_PROVIDER=local', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ LLM_PROVIDER: 'local', OPENAI_API_KEY: 'sk-not-used' });
  });
  afterAll(() => t.close());

  it('offers only the offline analyst, even with a key configured', async () => {
    expect(Health.parse(await (await t.app.request('/healthz')).json()).providers).toEqual([
      { name: 'local', defaultModel: 'analyst-3' },
    ]);
    const refused = await t.postJson({ text: TEXT, provider: 'openai' });
    expect(refused.status).toBe(400);
    expect(ErrorBody.parse(await refused.json()).error.message).toBe(
      'Unknown provider "openai"; this server has local',
    );
  });
});
