import { estimateTokens } from '../analyst/constants.js';
import { countTokens } from '../llm/tokens.js';
import { chunkText, type Chunk } from './chunk.js';

/**
 * A document to chunk, as plain data (it may cross to a worker thread, src/lib/work-thread.ts):
 * the provider's name and the model say how tokens are counted there, as the provider counts
 * them — the model's own tokenizer for `openai` (an estimate for a model it does not know),
 * four characters a token for the offline analyst.
 */
export interface ChunkTask {
  text: string;
  maxTokens: number;
  overlapTokens: number;
  provider: string;
  model: string;
}

export function runChunkTask(task: ChunkTask): Chunk[] {
  const count =
    task.provider === 'openai'
      ? (text: string) => countTokens(text, task.model)
      : (text: string) => estimateTokens(text);
  return chunkText(task.text, {
    maxTokens: task.maxTokens,
    overlapTokens: task.overlapTokens,
    countTokens: count,
  });
}
