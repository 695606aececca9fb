import { ModelBrief } from '../briefs/schema.js';
import { AppError } from '../errors.js';
import { contextWindow } from '../llm/context-windows.js';
import { jsonModeInstruction } from '../llm/openai/json-schema.js';
import type { Provider } from '../llm/provider.js';
import type { Prompt } from '../prompts/prompt.js';
import { renderStage } from '../prompts/render.js';

/**
 * How many tokens of data one call of a brief may carry so that the call, its instructions and
 * its answer fit in the model's context window. Infinity where nothing needs bounding.
 */
export interface ContextBudget {
  /** The model's context window (src/llm/context-windows.ts); Infinity for the offline analyst. */
  context: number;
  /** Document text of one map call: a chunk, its overlap included. */
  chunk: number;
  /**
   * The partial briefs of one reduce call, as the compact JSON the reduce template fences.
   * Infinity when even the largest merge group cannot exceed it (see `contextBudget`).
   */
  partials: number;
}

export interface BudgetInput {
  provider: Provider;
  model: string;
  prompt: Prompt;
  /** LLM_CONTEXT_TOKENS; the model's window from the table when undefined. */
  contextTokens: number | undefined;
}

/**
 * A call's data is refused below this (the floor of CHUNK_TOKENS): with fewer tokens of
 * document, a call would spend its window on instructions.
 */
const MIN_DATA_TOKENS = 200;
/**
 * Tokens kept free beyond what is counted: a real call's fence is 32 random hex digits, which
 * may take more tokens than the counted one, and tokens merge differently where data meets
 * template text.
 */
const SLACK_TOKENS = 64;
/**
 * The title is rendered into every call, cut to 300 characters (src/prompts/render.ts); counting
 * it at that length, not the brief's own, keeps the budget (and so the chunks) the same for
 * every title, as the brief cache key is.
 */
const TITLE_TOKENS = 300;
/** Counts use a fixed fence: a random one would make the budget, and so the chunks, vary. */
const COUNTING_FENCE = '5f0e9a7c3b2d4e6f8a1b0c9d7e3f2a4b';
/**
 * A partial brief is a model's answer, at most maxOutputTokens as the model counts; four
 * characters a token (the estimate for models without a tokenizer here) may count up to a
 * fifth more for English prose.
 */
const ANSWER_ESTIMATE_MARGIN = 1.25;

/**
 * The budget of a brief's calls: the context window, less the answer (the prompt's
 * maxOutputTokens, which the request asks the endpoint to keep free), less the instructions:
 * the system message, the output schema (in the system message in JSON mode, read from
 * `response_format` otherwise), the stage's template and a title at its longest.
 *
 * A merge group holds up to 2 × reduceFanIn partial briefs (planReduce). When that many answers
 * of maxOutputTokens fit, `partials` is Infinity and merges are planned and sent exactly as
 * without a window; otherwise each merge's input is counted (mapReduce).
 * @throws AppError `invalid_request` when the window leaves less than MIN_DATA_TOKENS of data.
 */
export function contextBudget(input: BudgetInput): ContextBudget {
  const { provider, model, prompt } = input;
  const context = contextWindow(provider.name, model, input.contextTokens);
  if (context === Number.POSITIVE_INFINITY) return { context, chunk: context, partials: context };
  const memo = memoOf(prompt);
  const key = `${provider.name}\0${model}\0${context}`;
  let budget = memo.get(key);
  if (!budget) {
    budget = measure(input, context);
    if (memo.size >= MEMO_SIZE) memo.clear();
    memo.set(key, budget);
  }
  const room = Math.min(budget.chunk, budget.partials);
  if (room < MIN_DATA_TOKENS) {
    throw new AppError(
      'invalid_request',
      `The context window of ${model} (${context} tokens) leaves ${Math.max(0, room)} tokens for ` +
        `the document after ${prompt.ref}'s instructions and its answer of up to ` +
        `${prompt.params.maxOutputTokens} tokens; at least ${MIN_DATA_TOKENS} are needed ` +
        '(set LLM_CONTEXT_TOKENS if the model has a larger window, or use another model or prompt)',
    );
  }
  return budget;
}

/**
 * The context window when it changes how a brief is made, else undefined: when chunks must be
 * smaller than the provider's chunk size, or merges must be counted. The brief cache key holds
 * it then, and only then, so that where no window binds briefs keep the keys they had.
 */
export function bindingContext(input: BudgetInput): number | undefined {
  let budget: ContextBudget;
  try {
    budget = contextBudget(input);
  } catch (error) {
    // Too small for any brief: the submission is refused (contextBudget's error) before it runs.
    if (error instanceof AppError) return undefined;
    throw error;
  }
  const binds = budget.chunk < input.provider.chunkTokens || Number.isFinite(budget.partials);
  return binds ? budget.context : undefined;
}

/**
 * Measures and memoizes a budget ahead of its first brief (a server at start-up). A setting that
 * leaves no room is not an error here: the first brief that needs the budget is refused with it.
 */
export function warmContextBudget(input: BudgetInput): void {
  try {
    contextBudget(input);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
  }
}

function measure({ provider, model, prompt }: BudgetInput, context: number): ContextBudget {
  const count = (text: string) => provider.countTokens(text, model);
  const map = renderStage(
    prompt,
    { stage: 'map', title: null, chunkCount: 2, chunk: { index: 0, text: '', start: 0, end: 0 } },
    COUNTING_FENCE,
  );
  const reduce = renderStage(
    prompt,
    { stage: 'reduce', title: null, partials: [], final: false },
    COUNTING_FENCE,
  );
  const { maxOutputTokens, reduceFanIn } = prompt.params;
  const fixed =
    maxOutputTokens +
    count(map.system) +
    count(jsonModeInstruction(ModelBrief)) +
    TITLE_TOKENS +
    SLACK_TOKENS;
  const partials = context - fixed - count(reduce.user);
  const largestGroup = 2 * reduceFanIn * maxOutputTokens * ANSWER_ESTIMATE_MARGIN;
  return {
    context,
    chunk: context - fixed - count(map.user),
    partials: partials >= largestGroup ? Number.POSITIVE_INFINITY : partials,
  };
}

/** Budgets kept per prompt version: a request may name any model, so they are capped. */
const MEMO_SIZE = 256;
const memos = new WeakMap<Prompt, Map<string, ContextBudget>>();

function memoOf(prompt: Prompt): Map<string, ContextBudget> {
  let memo = memos.get(prompt);
  if (!memo) memos.set(prompt, (memo = new Map()));
  return memo;
}
