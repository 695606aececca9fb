/**
 * What `gpt-tokenizer/bpeRanks/*` resolves to in the Worker bundle (wrangler.toml's [alias]):
 * no table. gpt-tokenizer's two rank tables are 1.5 MB of gzipped code, half of Workers Free's
 * 3 MB, and evaluating them is start-up work; a Worker with the openai provider reads them from
 * its static assets instead (src/llm/encoding-assets.ts). Node never sees this.
 */
const ranks: undefined = undefined;
export default ranks;
