import type { PerspectivesContext } from './context.js';
import { getPerspectives } from './submit.js';
import type { PerspectivesView } from './view.js';

/** What GET /v1/perspectives/:id/events sends: progress while it runs, then the final view. */
export type PerspectivesEvent =
  | { type: 'progress'; id: string; done: number; total: number }
  | { type: 'succeeded' | 'failed'; id: string; perspectives: PerspectivesView };

/**
 * The events of one perspectives run until it finishes: progress as this process's run reports
 * it (a run elsewhere is followed through its row, re-read every `pollMs`), then the final view.
 */
export async function* followPerspectives(
  context: PerspectivesContext,
  id: string,
  signal: AbortSignal,
): AsyncGenerator<PerspectivesEvent> {
  let wake: (() => void) | undefined;
  const listener = () => wake?.();
  let set = context.listeners.get(id);
  if (!set) context.listeners.set(id, (set = new Set()));
  set.add(listener);
  signal.addEventListener('abort', listener);
  let last = -1;
  try {
    while (!signal.aborted) {
      const view = await getPerspectives(context, id);
      if (view.status !== 'running') return yield { type: view.status, id, perspectives: view };
      if (view.progress && view.progress.done !== last) {
        last = view.progress.done;
        yield { type: 'progress', id, ...view.progress };
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, context.pollMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    set.delete(listener);
    signal.removeEventListener('abort', listener);
  }
}
