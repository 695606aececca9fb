import { parentPort } from 'node:worker_threads';
import { runAnalystTask } from '../analyst/task.js';
import type { Database } from '../db/client.js';
import { openNodeConnection } from '../db/node.js';
import { indexDocuments, saveDocument } from '../documents/queries.js';
import { extractHtml } from '../ingest/html.js';
import { runChunkTask } from '../pipeline/chunk-task.js';
import { readDocument } from '../perspectives/passages.js';
import { normalizeText } from '../pipeline/normalize.js';
import { verifyBrief } from '../pipeline/verify.js';
import type { WorkTask } from './work-thread.js';

/**
 * The work thread (started by src/lib/work-thread.ts): runs each task it is sent and answers
 * with the value, or the error's message. One task at a time, in arrival order (a PDF's pages
 * are read with awaits; the next task waits for it all the same).
 */
let queue: Promise<void> = Promise.resolve();
parentPort?.on('message', (message: { id: number; work: WorkTask }) => {
  queue = queue.then(() => answer(message));
});

async function answer(message: { id: number; work: WorkTask }): Promise<void> {
  try {
    const part = (value: unknown) => parentPort!.postMessage({ id: message.id, part: value });
    parentPort!.postMessage({ id: message.id, value: await perform(message.work, part) });
  } catch (error) {
    // An AppError (a page over a limit: 413) keeps its code and status across the thread.
    const { code, status } = (error ?? {}) as { code?: unknown; status?: unknown };
    parentPort!.postMessage({
      id: message.id,
      error: error instanceof Error ? error.message : String(error),
      ...(typeof code === 'string' && typeof status === 'number' ? { code } : {}),
    });
  }
}

/** Runs one task; a streamed one sends its parts with `part` as they are made. */
function perform(work: WorkTask, part: (value: unknown) => void): unknown {
  switch (work.kind) {
    case 'chunk':
      if (!work.stream) return runChunkTask(work.task);
      runChunkTask(work.task, part);
      return null;
    case 'html':
      return extractHtml(work.html, work.limits);
    case 'pdf':
      // pdf.js is loaded by the first PDF, as on the main thread (src/ingest/index.ts).
      return import('../ingest/pdf.js').then(({ extractPdf }) =>
        extractPdf(work.bytes, work.limits),
      );
    case 'normalize':
      return normalizeText(work.text);
    case 'read-document':
      return readDocument(work.document);
    case 'verify':
      return verifyBrief(work.brief, work.text);
    case 'save-document':
      return saveDocument({ db: connection(work.databasePath) }, work.document, {
        index: work.index,
      });
    case 'index-documents':
      return indexDocuments({ db: connection(work.databasePath) });
    case 'analyst':
      return runAnalystTask(work.task);
  }
}

/**
 * This thread's own connection to the server's database file, opened on first use. The main
 * thread has migrated the file already; WAL mode lets the two connections read while one writes,
 * and busy_timeout makes a write wait for the other's rather than fail.
 */
const connections = new Map<string, Database>();
function connection(path: string): Database {
  let db = connections.get(path);
  if (!db) {
    db = openNodeConnection(path).db;
    connections.set(path, db);
  }
  return db;
}
