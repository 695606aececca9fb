import { parentPort } from 'node:worker_threads';
import { runAnalystTask } from '../analyst/task.js';
import { extractHtml } from '../ingest/html.js';
import { runChunkTask } from '../pipeline/chunk-task.js';
import type { WorkTask } from './work-thread.js';

/**
 * The work thread (started by src/lib/work-thread.ts): runs each task it is sent and answers
 * with the value, or the error's message. One task at a time, in arrival order.
 */
parentPort?.on('message', (message: { id: number; work: WorkTask }) => {
  try {
    parentPort!.postMessage({ id: message.id, value: perform(message.work) });
  } catch (error) {
    // An AppError (a page over a limit: 413) keeps its code and status across the thread.
    const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
    parentPort!.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' && typeof status === 'number' ? { code } : {}),
    });
  }
});

function perform(work: WorkTask): unknown {
  if (work.kind === 'chunk') return runChunkTask(work.task);
  if (work.kind === 'html') return extractHtml(work.html, work.limits);
  return runAnalystTask(work.task);
}
