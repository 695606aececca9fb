import { estimateTokens } from '../analyst/constants.js';
import { countTokens } from '../llm/tokens.js';
import { type Chunk, cutChunks } from './chunk.js';

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

/**
 * Chunks a document, on the thread that runs it (src/lib/work-thread.ts) or inline; `onChunk`
 * sees each chunk as soon as it is cut, before the promise settles with them all.
 */
export type Chunker = (task: ChunkTask, onChunk?: (chunk: Chunk) => void) => Promise<Chunk[]>;

/** The task's chunks; `onChunk` sees each as soon as it is cut. */
export function runChunkTask(task: ChunkTask, onChunk?: (chunk: Chunk) => void): Chunk[] {
  const count =
    task.provider === 'openai'
      ? (text: string) => countTokens(text, task.model)
      : (text: string) => estimateTokens(text);
  const chunks: Chunk[] = [];
  const options = {
    maxTokens: task.maxTokens,
    overlapTokens: task.overlapTokens,
    countTokens: count,
  };
  for (const chunk of cutChunks(task.text, options)) {
    chunks.push(chunk);
    onChunk?.(chunk);
  }
  return chunks;
}
