import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';

/**
 * Token counts for chunk budgets: the real BPE tokenizer for OpenAI model names, an estimate
 * for everything else (Llama, Qwen, Mistral… served by Ollama or vLLM have their own
 * vocabularies, which we do not ship; four characters a token is the usual rule of thumb for
 * English prose and errs on the side of smaller chunks for most other text).
 */
export function countTokens(text: string, model: string): number {
  const encoding = encodingFor(model);
  return encoding ? countBounded(text, encoding) : estimateTokens(text);
}

/** About four characters a token: OpenAI's rule of thumb for English text. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

type Counter = (text: string) => number;

// A document is data: a literal "<|endoftext|>" in it is ordinary text, not a special token
// (the library's default is to throw on it).
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const O200K: Counter = (text) => countO200k(text, AS_TEXT);
const CL100K: Counter = (text) => countCl100k(text, AS_TEXT);

/** The encoding of an OpenAI model name, or undefined when the model is not OpenAI's. */
function encodingFor(model: string): Counter | undefined {
  // "openai/gpt-4o" (routers), "ft:gpt-4o-mini:org::id" (fine-tunes), any case.
  const name = (model.split('/').pop() ?? '').toLowerCase().replace(/^ft:/, '');
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4)([-.:]|$)/.test(name))
    return O200K;
  if (/^(gpt-4|gpt-3\.5|text-embedding-(3|ada))([-.:]|$)/.test(name)) return CL100K;
  return undefined;
}

/**
 * BPE merging is quadratic in the length of one pre-tokenized piece, and a run of text with no
 * whitespace (a long URL, a base64 blob, a paragraph of Chinese or Japanese) is one piece:
 * 100 000 such characters take over ten seconds to count. Runs longer than MAX_RUN are counted
 * in MAX_RUN slices instead; each cut can add at most a token or so, which a chunk budget
 * does not notice, and ordinary prose (words far shorter than MAX_RUN) is counted exactly.
 */
const MAX_RUN = 64;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}|\\s{${MAX_RUN + 1},}`, 'g');

function countBounded(text: string, count: Counter): number {
  if (text.length <= MAX_RUN) return count(text);
  let total = 0;
  let from = 0;
  LONG_RUN.lastIndex = 0;
  for (let match = LONG_RUN.exec(text); match; match = LONG_RUN.exec(text)) {
    if (match.index > from) total += count(text.slice(from, match.index));
    const end = match.index + match[0].length;
    for (let at = match.index; at < end; at += MAX_RUN)
      total += count(text.slice(at, Math.min(end, at + MAX_RUN)));
    from = end;
  }
  if (from < text.length) total += count(text.slice(from));
  return total;
}
