import { z } from 'zod';
import type { PerspectivesContext } from './context.js';
import { getPerspectives } from './submit.js';
import { PerspectivesView } from './view.js';

/** What GET /v1/perspectives/:id/events sends: progress while it runs, then the final view. */
export const PerspectivesEvent = z
  .union([
    z.object({
      type: z.literal('progress'),
      id: z.string(),
      done: z.number().int().describe('Claims read against one other document so far'),
      total: z.number().int(),
    }),
    z.object({
      type: z.enum(['succeeded', 'failed']),
      id: z.string(),
      perspectives: PerspectivesView,
    }),
  ])
  .describe('One event: progress while it runs, then succeeded or failed with the whole view')
  .meta({ id: 'PerspectivesEvent' });
export type PerspectivesEvent = z.infer<typeof PerspectivesEvent>;

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
