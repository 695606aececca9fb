import { describe, expect, it } from 'vitest';
import { BriefView } from '../src/briefs/view.js';
import { renderBrief } from '../src/cli/render.js';
import { parseConfig } from '../src/config.js';
import { evalMarkdown } from '../src/evals/markdown.js';
import type { EvalReport } from '../src/evals/report.js';
import { EvalDetail, EvalSummary } from '../src/evals/view.js';
import { costLabel, estimateCost, findPrice, formatUsd, priceTable } from '../src/llm/prices.js';
import { PerspectivesView } from '../src/perspectives/view.js';
import { policyDocument } from './support/app.js';
import { useLlmApp } from './support/llm-app.js';

// What a brief, a perspectives run and an evaluation cost: the price table and its matching,
// LLM_PRICES, and the estimate on briefs made through the OpenAI-compatible test server, as the
// API, the web page, the CLI and the evaluation report show it.

// gpt-4o-mini's list price, written out here rather than read from the table under test.
const MINI = { input: 0.15, output: 0.6 };
const usdOf = (usage: { promptTokens: number; completionTokens: number }, price: typeof MINI) =>
  Math.round(
    ((usage.promptTokens * price.input + usage.completionTokens * price.output) / 1e6) * 1e6,
  ) / 1e6;

describe('the price table', () => {
  const table = priceTable({
    'llama3.1': { input: 0, output: 0 },
    'gpt-4o': { input: 2, output: 9 },
  });
  const match = (model: string) => findPrice(table, model)?.name;

  it('matches a model by its name or its name and a snapshot suffix, whatever the case or router prefix', () => {
    expect(match('gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(match('GPT-4o-mini-2024-07-18')).toBe('gpt-4o-mini');
    expect(match('openai/gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(match('gpt-3.5-turbo-0125')).toBe('gpt-3.5-turbo');
    expect(match('gpt-3.5-turbo-1106')).toBe('gpt-3.5-turbo-1106');
    expect(match('gpt-4.1-nano')).toBe('gpt-4.1-nano');
    expect(match('llama3.1:8b')).toBe('llama3.1');
  });

  it('prices no relative it does not list: an unknown variant is unknown, not its cheaper cousin', () => {
    for (const model of [
      'gpt-4.5-preview',
      'o3-pro',
      'o1-pro',
      'gpt-5.1',
      'ft:gpt-4o-mini:org::x',
      'llama3',
    ])
      expect(match(model), model).toBeUndefined();
  });

  it('looks up LLM_PRICES before the list', () => {
    expect(findPrice(table, 'gpt-4o')).toMatchObject({
      source: 'configured',
      price: { input: 2, output: 9 },
    });
    expect(findPrice(table, 'gpt-4o-2024-08-06')).toMatchObject({ source: 'configured' });
    // The list's own entry for a model LLM_PRICES does not name.
    expect(findPrice(table, 'gpt-4o-mini')).toMatchObject({ source: 'list_price', price: MINI });
  });

  it('estimates from prompt and completion tokens; the offline analyst is free', () => {
    const usage = { promptTokens: 12_345, completionTokens: 678 };
    expect(estimateCost(table, { provider: 'openai', model: 'gpt-4o-mini' }, usage)).toMatchObject({
      usd: 0.002259,
      source: 'list_price',
      pricedAs: 'gpt-4o-mini',
      inputPerMTok: 0.15,
      outputPerMTok: 0.6,
    });
    // An alias the table lacks is priced by the model the endpoint said answered.
    expect(
      estimateCost(
        table,
        { provider: 'openai', model: 'my-deployment', answeredBy: 'gpt-4o-mini-2024-07-18' },
        usage,
      ).usd,
    ).toBe(0.002259);
    const unknown = estimateCost(table, { provider: 'openai', model: 'mystery' }, usage);
    expect(unknown).toMatchObject({ usd: null, source: 'unknown' });
    expect(unknown.note).toContain('LLM_PRICES');
    expect(estimateCost(table, { provider: 'local', model: 'analyst-3' }, usage)).toMatchObject({
      usd: 0,
      source: 'free',
    });
  });

  it('writes dollars for people', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(0.002694)).toBe('$0.00269');
    expect(formatUsd(1.234)).toBe('$1.23');
    expect(formatUsd(0.00004)).toBe('<$0.0001');
    expect(costLabel({ usd: 0.0123, source: 'list_price' })).toBe('est. $0.0123');
    expect(costLabel({ usd: null, source: 'unknown' })).toBe('unknown price');
    expect(costLabel({ usd: 0, source: 'free' })).toBe('free (offline)');
  });

  it('refuses an LLM_PRICES that is not JSON, not an object of prices, or negative, naming the setting', () => {
    const problem = (value: string) => {
      try {
        parseConfig({ LLM_PRICES: value });
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problem('gpt-4o=2')).toMatch(/LLM_PRICES: is not JSON/);
    expect(problem('[1, 2]')).toMatch(/LLM_PRICES: must be a JSON object of model name/);
    expect(problem('{"gpt-4o": {"input": -1, "output": 2}}')).toMatch(
      /LLM_PRICES\.gpt-4o\.input: must be 0 or more/,
    );
    expect(problem('{"gpt-4o": {"input": 1}}')).toMatch(
      /LLM_PRICES\.gpt-4o\.output: must be a number/,
    );
    expect(parseConfig({ LLM_PRICES: '{"x": {"input": 1, "output": 2}}' }).LLM_PRICES).toEqual({
      x: { input: 1, output: 2 },
    });
  });
});

describe('cost over HTTP, from the test LLM server', () => {
  const ctx = useLlmApp({
    OPENAI_API_KEY: 'test-key',
    LLM_MODEL: 'gpt-4o-mini',
    LLM_PRICES: '{"priced-by-config": {"input": 1, "output": 2}}',
  });
  const brief = async (body: Record<string, unknown>) => {
    const response = await ctx.t.postJson({ text: policyDocument(4), ...body });
    expect(response.status).toBeLessThan(300);
    return BriefView.parse(await response.json());
  };
  /** The prompt tokens the test server reported: a quarter of each request's message characters. */
  const reportedPromptTokens = () =>
    ctx.llm.calls.reduce(
      (total, call) =>
        total +
        Math.ceil((call.body.messages ?? []).reduce((n, m) => n + (m.content?.length ?? 0), 0) / 4),
      0,
    );

  it('prices a gpt-4o-mini brief from the tokens the endpoint reported, at the list price', async () => {
    const view = await brief({ title: 'Priced' });
    expect(view.status).toBe('succeeded');
    const usage = view.usage!;
    expect(usage.promptTokens).toBe(reportedPromptTokens());
    expect(usage.completionTokens).toBeGreaterThan(0);
    expect(usage.cost).toMatchObject({
      usd: usdOf(usage, MINI),
      source: 'list_price',
      pricedAs: 'gpt-4o-mini',
    });
    expect(usage.cost.usd).toBeGreaterThan(0);

    // The same brief again is a brief-cache hit: the same estimate, and the CLI says it was spent then.
    const again = await brief({ title: 'Priced' });
    expect(again.cached).toBe(true);
    expect(again.usage!.cost.usd).toBe(usage.cost.usd);
    expect(renderBrief(again).split('\n')[1]).toContain(
      `openai/gpt-4o-mini · ${costLabel(usage.cost)} when made · `,
    );

    // The web page's provenance and the CLI's provenance line.
    const page = await (await ctx.t.app.request(`/briefs/${view.id}`)).text();
    expect(page).toContain('<dt>Cost</dt>');
    expect(page).toContain(`est. ${formatUsd(usage.cost.usd!)}`);
    expect(page).toContain('gpt-4o-mini at $0.15 / $0.60 per million input / output tokens');
    expect(renderBrief(view).split('\n')[1]).toBe(
      `Priced · ${view.prompt.ref} · openai/gpt-4o-mini · est. ${formatUsd(usage.cost.usd!)} · 1 chunk(s) · ${view.id}`,
    );
  });

  it('says the price of an unknown model is unknown, and uses LLM_PRICES for a configured one', async () => {
    const unknown = await brief({ model: 'mystery-model' });
    expect(unknown.usage!.cost).toMatchObject({ usd: null, source: 'unknown', pricedAs: null });
    expect(unknown.usage!.promptTokens).toBeGreaterThan(0);
    const page = await (await ctx.t.app.request(`/briefs/${unknown.id}`)).text();
    expect(page).toContain('unknown price');
    expect(page).toContain('No price known for &quot;mystery-model&quot;: set LLM_PRICES');
    expect(renderBrief(unknown).split('\n')[1]).toContain(
      'openai/mystery-model · unknown price · ',
    );

    const configured = await brief({ model: 'priced-by-config' });
    expect(configured.usage!.cost).toMatchObject({
      usd: usdOf(configured.usage!, { input: 1, output: 2 }),
      source: 'configured',
      pricedAs: 'priced-by-config',
    });
    // The same price in every read of the brief: the list and the document's briefs too.
    const list = (await (await ctx.t.app.request('/v1/briefs?model=priced-by-config')).json()) as {
      items: BriefView[];
    };
    expect(list.items[0]!.usage!.cost).toEqual(configured.usage!.cost);
  });

  it('costs nothing offline, for a brief and for perspectives', async () => {
    const offline = await brief({ provider: 'local' });
    expect(offline.usage!.cost).toMatchObject({ usd: 0, source: 'free' });
    expect(renderBrief(offline).split('\n')[1]).toContain(' · free (offline) · ');
    const page = await (await ctx.t.app.request(`/briefs/${offline.id}`)).text();
    expect(page).toContain('free (offline)');

    const other = await brief({ provider: 'local', text: policyDocument(3, 'transport') });
    const response = await ctx.t.app.request('/v1/perspectives', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        documents: [offline.document.id, other.document.id],
        provider: 'local',
      }),
    });
    const perspectives = PerspectivesView.parse(await response.json());
    expect(perspectives.usage!.cost).toMatchObject({ usd: 0, source: 'free' });
  });

  it('totals an evaluation’s cost per prompt version and overall; a rerun from the cache spends nothing', async () => {
    const documents = [
      { id: 'housing', document: policyDocument(3) },
      { id: 'water', document: policyDocument(3, 'water') },
    ];
    const run = async () => {
      const response = await ctx.t.app.request('/v1/evals', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompts: ['brief@1', 'brief@2'], documents }),
      });
      expect(response.status).toBe(202);
      const { id } = EvalSummary.parse(await response.json());
      for (let i = 0; i < 400; i++) {
        const detail = EvalDetail.parse(await (await ctx.t.app.request(`/v1/evals/${id}`)).json());
        if (detail.status !== 'running') return detail.report as unknown as EvalReport;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the evaluation did not finish');
    };
    const report = await run();
    expect(report.run).toMatchObject({ briefs: 4, failures: 0, briefCacheHits: 0 });
    const byRef = new Map<string, number>();
    for (const document of report.documents)
      for (const version of document.versions) {
        const view = BriefView.parse(
          await (await ctx.t.app.request(`/v1/briefs/${version.briefId}`)).json(),
        );
        expect(version.costUsd).toBe(usdOf(view.usage!, MINI));
        byRef.set(version.ref, (byRef.get(version.ref) ?? 0) + version.costUsd!);
      }
    for (const ref of ['brief@1', 'brief@2'])
      expect(report.aggregate[ref]!.costUsd).toBeCloseTo(byRef.get(ref)!, 6);
    expect(report.run.costUsd).toBeCloseTo(byRef.get('brief@1')! + byRef.get('brief@2')!, 6);
    expect(report.run.costUsd).toBeGreaterThan(0);
    const markdown = evalMarkdown(report);
    expect(markdown).toContain(`est. ${formatUsd(report.run.costUsd!)} spent.`);
    expect(markdown).toContain(
      `| est. cost of this run (USD) | ${formatUsd(report.aggregate['brief@1']!.costUsd!)} | ${formatUsd(report.aggregate['brief@2']!.costUsd!)} |`,
    );

    const rerun = await run();
    expect(rerun.run).toMatchObject({ briefCacheHits: 4, costUsd: 0 });
    // A report stored before costs were estimated reads as such, not as free.
    const { costUsd: _, ...older } = report.run;
    expect(evalMarkdown({ ...report, run: older as EvalReport['run'] })).toMatch(/ s\.\n/);
  });
});
