import { parentPort } from 'node:worker_threads';
import { runAnalystTask } from '../analyst/task.js';
import { runChunkTask } from '../pipeline/chunk-task.js';
import type { WorkTask } from './work-thread.js';

/**
 * The work thread (started by src/lib/work-thread.ts): runs each task it is sent and answers
 * with the value, or the error's message. One task at a time, in arrival order.
 */
parentPort?.on('message', (message: { id: number; work: WorkTask }) => {
  try {
    const { work } = message;
    const value = work.kind === 'chunk' ? runChunkTask(work.task) : runAnalystTask(work.task);
    parentPort!.postMessage({ id: message.id, value });
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
