import { parentPort } from 'node:worker_threads';
import { runAnalystTask, type AnalystTask } from './task.js';

/**
 * The analyst's worker thread (started by src/llm/analyst-thread.ts): runs each task it is sent
 * and answers with the value, or the error's message. One task at a time, in arrival order.
 */
parentPort?.on('message', (message: { id: number; task: AnalystTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, value: runAnalystTask(message.task) });
  } catch (error) {
    parentPort!.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
});
