import { Worker } from 'node:worker_threads';
import type { AnalystTask } from '../analyst/task.js';
import { PromptParams } from '../prompts/prompt.js';

/**
 * The offline analyst on a worker thread (Node only; Workers run it inline). Reading a 50k-token
 * chunk is up to ~0.7 s of CPU; on the main thread that would hold every other request, /healthz
 * included, for as long. Here the main thread only sends the task and receives the brief.
 *
 * One thread, started on the first task and restarted after a crash; tasks run in arrival order.
 * It keeps the process alive only while tasks are pending, and `close()` ends it.
 */
export interface AnalystThread {
  run(task: AnalystTask): Promise<unknown>;
  close(): Promise<void>;
}

/** A one-sentence chunk: loading the analyst's modules and word model is most of a first call. */
const WARM_UP: AnalystTask = {
  input: {
    stage: 'map',
    title: null,
    chunkCount: 1,
    chunk: { index: 0, text: 'The council proposes a new budget.', start: 0, end: 34 },
  },
  params: PromptParams.parse({}),
};

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** `warm`: start the thread now and load the analyst in it, so the first brief does not wait. */
export function startAnalystThread(options: { warm?: boolean } = {}): AnalystThread {
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
    const entry = new URL(`../analyst/thread-entry${extension}`, import.meta.url).href;
    const code =
      extension === '.ts'
        ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`
        : `import(${JSON.stringify(entry)});`;
    const created = new Worker(code, { eval: true });
    created.on('message', (message: { id: number; value?: unknown; error?: string }) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (pending.size === 0) created.unref();
      if (message.error !== undefined) waiter.reject(new Error(message.error));
      else waiter.resolve(message.value);
    });
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

  const run = (task: AnalystTask): Promise<unknown> => {
    worker ??= spawn();
    worker.ref();
    const id = next++;
    const result = new Promise<unknown>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ id, task });
    return result;
  };
  if (options.warm) void run(WARM_UP).catch(() => undefined);
  return {
    run,
    async close() {
      const running = worker;
      worker = undefined;
      if (running) await running.terminate();
    },
  };
}
