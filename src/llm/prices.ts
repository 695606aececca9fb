import type { BriefUsage, UsageCost, UsageView } from '../briefs/schema.js';

/** What a model's tokens cost, in US dollars per million tokens. */
export interface Price {
  input: number;
  output: number;
}

/** When LIST_PRICES was last checked against OpenAI's published prices. */
export const PRICES_AS_OF = '2026-06';

/**
 * OpenAI's list prices for the standard tier, USD per million tokens, by model name. List prices
 * change, and an endpoint may charge otherwise (Azure, a Batch or Flex tier, OpenAI's discount
 * on cached prompt tokens, which this does not count): LLM_PRICES sets or corrects any of them.
 * Names match strictly (see findPrice), so an unlisted variant (`gpt-4.5`, `o3-pro`, a
 * fine-tune) reads as unknown rather than at the price of a cheaper relative.
 */
const LIST_PRICES: Record<string, Price> = {
  'gpt-5': { input: 1.25, output: 10 },
  'gpt-5-mini': { input: 0.25, output: 2 },
  'gpt-5-nano': { input: 0.05, output: 0.4 },
  'gpt-4.1': { input: 2, output: 8 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'gpt-4o': { input: 2.5, output: 10 },
  'gpt-4o-2024-05-13': { input: 5, output: 15 },
  'chatgpt-4o-latest': { input: 5, output: 15 },
  'gpt-4o-mini': { input: 0.15, output: 0.6 },
  o1: { input: 15, output: 60 },
  'o1-mini': { input: 1.1, output: 4.4 },
  o3: { input: 2, output: 8 },
  'o3-mini': { input: 1.1, output: 4.4 },
  'o4-mini': { input: 1.1, output: 4.4 },
  'gpt-4-turbo': { input: 10, output: 30 },
  'gpt-4': { input: 30, output: 60 },
  'gpt-3.5-turbo': { input: 0.5, output: 1.5 },
  'gpt-3.5-turbo-1106': { input: 1, output: 2 },
  'gpt-3.5-turbo-0613': { input: 1.5, output: 2 },
};

/** The prices a deployment estimates with: LLM_PRICES first, then the list. Built once, by buildDeps. */
export interface PriceTable {
  /** Lower-cased names of LLM_PRICES entries. */
  readonly configured: ReadonlyMap<string, Price>;
  readonly list: ReadonlyMap<string, Price>;
}

export function priceTable(configured: Readonly<Record<string, Price>> = {}): PriceTable {
  const lowered = (prices: Readonly<Record<string, Price>>) =>
    new Map(Object.entries(prices).map(([name, price]) => [name.toLowerCase(), price]));
  return { configured: lowered(configured), list: lowered(LIST_PRICES) };
}

/** What may follow an entry's name: a snapshot date (-2024-07-18, -0125), -latest, an Ollama tag (:8b). */
const SNAPSHOT = /^(?:-\d{4}-\d{2}-\d{2}|-\d{4}|-latest|:[\w.-]+)?$/;

/**
 * The entry pricing `model`: LLM_PRICES's, else the list's; within each, the longest name that
 * is the model's name or its name less a snapshot suffix (`gpt-4o-mini-2024-07-18` is
 * `gpt-4o-mini`, never `gpt-4o`; `gpt-4.1` is not `gpt-4`). Case does not matter, and a router's
 * prefix may be left off (`openai/gpt-4o` is `gpt-4o`).
 */
export function findPrice(
  table: PriceTable,
  model: string,
): { name: string; price: Price; source: 'configured' | 'list_price' } | undefined {
  const full = model.toLowerCase();
  const forms = [full, full.slice(full.lastIndexOf('/') + 1)];
  for (const [source, entries] of [
    ['configured', table.configured],
    ['list_price', table.list],
  ] as const) {
    let best: string | undefined;
    for (const name of entries.keys()) {
      const matches = forms.some(
        (form) => form.startsWith(name) && SNAPSHOT.test(form.slice(name.length)),
      );
      if (matches && (!best || name.length > best.length)) best = name;
    }
    if (best) return { name: best, price: entries.get(best)!, source };
  }
  return undefined;
}

/**
 * The estimated cost of the tokens in `usage`, spent through `provider` on `model` (or, when the
 * requested name has no price, on the model the endpoint said answered). The offline analyst is
 * free. Rounded to a millionth of a dollar.
 */
export function estimateCost(
  table: PriceTable,
  run: { provider: string; model: string; answeredBy?: string | null },
  usage: Pick<BriefUsage, 'promptTokens' | 'completionTokens'>,
): UsageCost {
  if (run.provider === 'local')
    return {
      usd: 0,
      source: 'free',
      pricedAs: null,
      inputPerMTok: 0,
      outputPerMTok: 0,
      note: 'The offline analyst makes no paid calls',
    };
  const found = [run.model, run.answeredBy]
    .filter((name): name is string => Boolean(name))
    .map((name) => findPrice(table, name))
    .find((match) => match !== undefined);
  if (!found)
    return {
      usd: null,
      source: 'unknown',
      pricedAs: null,
      inputPerMTok: null,
      outputPerMTok: null,
      note: `No price known for "${run.model}": set LLM_PRICES to estimate its cost`,
    };
  const { name, price, source } = found;
  const usd = (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1e6;
  return {
    usd: Math.round(usd * 1e6) / 1e6,
    source,
    pricedAs: name,
    inputPerMTok: price.input,
    outputPerMTok: price.output,
    note: `${name} at ${perMillion(price.input)} / ${perMillion(price.output)} per million input / output tokens (${source === 'configured' ? 'LLM_PRICES' : `list price as of ${PRICES_AS_OF}`})`,
  };
}

/** Stored usage as the API shows it, with its cost; null while a run has none. */
export function usageView(
  table: PriceTable,
  run: { provider: string; model: string; answeredBy?: string | null },
  usage: BriefUsage | null | undefined,
): UsageView | null {
  if (!usage) return null;
  // Picked field by field: a perspectives run stores its call stats, which carry more.
  const { calls, cachedCalls, requests, promptTokens, completionTokens } = usage;
  return {
    calls,
    cachedCalls,
    requests,
    promptTokens,
    completionTokens,
    cost: estimateCost(table, run, usage),
  };
}

const perMillion = (usd: number) =>
  `$${usd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`;

/** Dollars for people: cents from $0.10 up, three significant digits below, `<$0.0001` for less. */
export function formatUsd(usd: number): string {
  if (usd === 0) return '$0.00';
  if (usd >= 0.1) return `$${usd.toFixed(2)}`;
  if (usd < 0.0001) return '<$0.0001';
  return `$${Number(usd.toPrecision(3))}`;
}

/** A cost in a few words, as the web page, the CLI and the evaluation report show it. */
export function costLabel(cost: Pick<UsageCost, 'usd' | 'source'>): string {
  if (cost.source === 'free') return 'free (offline)';
  if (cost.usd === null) return 'unknown price';
  return `est. ${formatUsd(cost.usd)}`;
}
