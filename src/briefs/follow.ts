import type { BriefContext } from './context.js';
import type { BriefEvent } from './events.js';
import { getBrief } from './queries.js';
import type { BriefView } from './view.js';

const isFinal = (view: BriefView) => view.status !== 'running';

function finalEvent(view: BriefView): BriefEvent {
  return view.status === 'succeeded'
    ? { type: 'succeeded', id: view.id, brief: view }
    : {
        type: 'failed',
        id: view.id,
        error: view.error ?? { code: 'internal', message: 'The brief failed' },
      };
}

/**
 * The events of one brief until it finishes: its state now, then live progress when it runs in
 * this process, or nothing but the final event when another process runs it (its row is polled).
 * A finished brief yields its final event at once. Stops early when `signal` aborts.
 */
export async function* followBrief(
  context: BriefContext,
  id: string,
  options: { pollMs: number; signal: AbortSignal },
): AsyncGenerator<BriefEvent> {
  const { pollMs, signal } = options;
  const queue: BriefEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  // Subscribe before reading the row, so the end of a run cannot slip between the two.
  const unsubscribe = context.events.subscribe(id, {
    progress: (progress) => {
      if (progress.stage === 'verified')
        queue.push({
          type: 'verified',
          id,
          citations: progress.citations,
          verifiedCitations: progress.verifiedCitations,
        });
      else if (progress.stage === 'queued')
        queue.push({ type: 'queued', id, chunks: progress.chunks });
      else queue.push({ type: 'progress', id, ...progress });
      notify();
    },
    end: () => {
      ended = true;
      notify();
    },
  });
  signal.addEventListener('abort', notify);
  try {
    let view = await getBrief(context, id);
    if (isFinal(view)) return yield finalEvent(view);
    yield { type: 'status', id, status: view.status, chunks: view.chunks };
    if (context.running.has(id)) {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else if (ended) break;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    }
    while (!signal.aborted) {
      view = await getBrief(context, id);
      if (isFinal(view)) return yield finalEvent(view);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    unsubscribe();
    signal.removeEventListener('abort', notify);
  }
}
