import { Worker } from 'node:worker_threads';
import type { AnalystTask } from '../analyst/task.js';
import type { Brief, ModelBrief } from '../briefs/schema.js';
import type { NewDocument } from '../documents/queries.js';
import { AppError, type ErrorCode } from '../errors.js';
import type { HtmlContent, IngestLimits } from '../ingest/limits.js';
import type { PdfContent } from '../ingest/pdf.js';
import type { Chunk } from '../pipeline/chunk.js';
import type { Chunker, ChunkTask } from '../pipeline/chunk-task.js';
import type { DocumentToRead, ReadDocument } from '../perspectives/passages.js';
import { PromptParams } from '../prompts/prompt.js';
import { takeTurn } from './wait.js';

/**
 * The service's CPU-heavy work on a worker thread (Node servers only; Workers, one-shot
 * commands and tests run it inline): the offline analyst's tasks (reading a 50k-token chunk is
 * up to ~0.7 s), chunking a document (7 MB through a model's tokenizer: ~3 s), reading an HTML
 * page (Readability: up to ~0.8 s at the default caps) or a PDF (pdf.js), normalizing a
 * document's text (~0.1 s for 7 MB), reading documents' sentences for perspectives, checking a brief's quotes against it, and writing it to
 * SQLite (a 7 MB row and its search index: ~0.13 s inside one synchronous call; the thread has
 * its own connection to the same WAL-mode file). On the main thread each would hold every other
 * request, /healthz included, for as long (issue 17).
 *
 * One thread, started at once and warmed up, restarted after a crash; tasks run in arrival
 * order. It keeps the process alive only while tasks are pending, and `close()` ends it.
 */
export interface WorkThread {
  analyse(task: AnalystTask): Promise<unknown>;
  /** With `onChunk`, each chunk crosses as soon as it is cut (a message of its own). */
  chunk: Chunker;
  readHtml(html: string, limits: IngestLimits): Promise<HtmlContent>;
  readPdf(bytes: Uint8Array, limits: IngestLimits): Promise<PdfContent>;
  normalize(text: string): Promise<string>;
  readDocument(document: DocumentToRead): Promise<ReadDocument>;
  verify(brief: ModelBrief, text: string): Promise<Brief>;
  /** saveDocument (src/documents/queries.ts) through the thread's own connection to `databasePath`. */
  saveDocument(
    databasePath: string,
    document: NewDocument,
    options?: { index?: boolean },
  ): Promise<boolean>;
  /** indexDocuments (src/documents/queries.ts), likewise. */
  indexDocuments(databasePath: string): Promise<void>;
  close(): Promise<void>;
}

/** One message's work. */
export type WorkTask =
  | { kind: 'analyst'; task: AnalystTask }
  | { kind: 'chunk'; task: ChunkTask; stream?: boolean }
  | { kind: 'html'; html: string; limits: IngestLimits }
  | { kind: 'pdf'; bytes: Uint8Array; limits: IngestLimits }
  | { kind: 'normalize'; text: string }
  | { kind: 'read-document'; document: DocumentToRead }
  | { kind: 'verify'; brief: ModelBrief; text: string }
  | { kind: 'save-document'; databasePath: string; document: NewDocument; index?: boolean }
  | { kind: 'index-documents'; databasePath: string };

/** A one-sentence chunk: loading the analyst's modules and word model is most of a first call. */
const WARM_UP: WorkTask = {
  kind: 'analyst',
  task: {
    input: {
      stage: 'map',
      title: null,
      chunkCount: 1,
      chunk: { index: 0, text: 'The council proposes a new budget.', start: 0, end: 34 },
    },
    params: PromptParams.parse({}),
  },
};

type Pending = {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  /** A part of the answer sent ahead of it (a streamed task's). */
  part?: (value: unknown) => void;
};

/** Starts the thread now and loads the analyst in it, so the first brief does not wait. */
export function startWorkThread(): WorkThread {
  let worker: Worker | undefined;
  let next = 0;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };

  const spawn = (): Worker => {
    // The sources are TypeScript run through tsx: the thread registers tsx before loading them.
    const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    const entry = new URL(`./work-thread-entry${extension}`, import.meta.url).href;
    // Resolved here, from this module: the thread's own code would resolve a bare name from
    // the working directory, which need not be the project's (`parallax serve` run elsewhere).
    const code =
      extension === '.ts'
        ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`
        : `import(${JSON.stringify(entry)});`;
    const created = new Worker(code, { eval: true });
    created.on(
      'message',
      (message: {
        id: number;
        value?: unknown;
        part?: unknown;
        error?: string;
        code?: ErrorCode;
      }) => {
        const waiter = pending.get(message.id);
        if (!waiter) return;
        if ('part' in message) {
          waiter.part?.(message.part);
          return;
        }
        pending.delete(message.id);
        if (pending.size === 0) created.unref();
        if (message.error === undefined) waiter.resolve(message.value);
        else if (message.code) waiter.reject(new AppError(message.code, message.error));
        else waiter.reject(new Error(message.error));
      },
    );
    created.on('error', (error) => {
      worker = undefined;
      failAll(new Error(`the analyst thread failed: ${error.message}`));
    });
    created.on('exit', (code) => {
      if (worker === created) worker = undefined;
      failAll(new Error(`the analyst thread stopped (exit code ${code})`));
    });
    return created;
  };

  const run = async (work: WorkTask, part?: (value: unknown) => void): Promise<unknown> => {
    // Copying a task's text into the message takes ~30–60 ms for 7 MB, and so does reading the
    // last task's answer: a turn of the event loop of its own keeps the two apart (a request
    // that sends one task when the last one's answer arrives would hold the loop for both).
    await takeTurn();
    worker ??= spawn();
    worker.ref();
    const id = next++;
    const result = new Promise<unknown>((resolve, reject) =>
      pending.set(id, { resolve, reject, part }),
    );
    worker.postMessage({ id, work });
    const value = await result;
    // Reading a large answer (a 7 MB document's normalized text, its chunks) took the turn it
    // arrived in: what the caller does with it next gets a turn of its own.
    await takeTurn();
    return value;
  };
  void run(WARM_UP).catch(() => undefined);
  return {
    analyse: (task) => run({ kind: 'analyst', task }),
    chunk: async (task, onChunk) => {
      if (!onChunk) return run({ kind: 'chunk', task }) as Promise<Chunk[]>;
      // Streamed: the chunks arrive one message each, and the answer carries none again.
      const chunks: Chunk[] = [];
      await run({ kind: 'chunk', task, stream: true }, (chunk) => {
        chunks.push(chunk as Chunk);
        onChunk(chunk as Chunk);
      });
      return chunks;
    },
    readHtml: (html, limits) => run({ kind: 'html', html, limits }) as Promise<HtmlContent>,
    readPdf: (bytes, limits) => run({ kind: 'pdf', bytes, limits }) as Promise<PdfContent>,
    normalize: (text) => run({ kind: 'normalize', text }) as Promise<string>,
    readDocument: (document) => run({ kind: 'read-document', document }) as Promise<ReadDocument>,
    verify: (brief, text) => run({ kind: 'verify', brief, text }) as Promise<Brief>,
    saveDocument: (databasePath, document, options) =>
      run({
        kind: 'save-document',
        databasePath,
        document,
        index: options?.index,
      }) as Promise<boolean>,
    indexDocuments: (databasePath) =>
      run({ kind: 'index-documents', databasePath }) as Promise<void>,
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
