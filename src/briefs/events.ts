import { z } from 'zod';
import { BRIEF_STATUSES } from './schema.js';
import type { RunProgress } from './run.js';
import { BriefFailure } from './schema.js';
import { BriefView } from './view.js';

const Progress = { done: z.number().int(), total: z.number().int() };

/**
 * What `GET /v1/briefs/:id/events` sends, in order: state on connect, progress, then one final
 * event. Each is the `data` of one server-sent event; its `type` is also the event name.
 */
export const BriefEvent = z
  .union([
    z.object({
      type: z.literal('status'),
      id: z.string(),
      status: z.enum(BRIEF_STATUSES),
      chunks: z.number().nullable(),
    }),
    z.object({
      type: z.literal('queued'),
      id: z.string(),
      chunks: z
        .number()
        .int()
        .describe(
          'Chunks to read: one map call each (some may have started while the document was cut)',
        ),
    }),
    z.object({ type: z.literal('progress'), id: z.string(), stage: z.literal('map'), ...Progress }),
    z.object({
      type: z.literal('progress'),
      id: z.string(),
      stage: z.literal('reduce'),
      level: z.number().int(),
      ...Progress,
    }),
    z.object({
      type: z.literal('verified'),
      id: z.string(),
      citations: z.number().int(),
      verifiedCitations: z.number().int(),
    }),
    z.object({ type: z.literal('succeeded'), id: z.string(), brief: BriefView }),
    z.object({ type: z.literal('failed'), id: z.string(), error: BriefFailure }),
  ])
  .describe(
    'One event: status on connect, queued (the chunk count), map/reduce progress, verified, then succeeded or failed',
  )
  .meta({ id: 'BriefEvent' });
export type BriefEvent = z.infer<typeof BriefEvent>;

type Listener = { progress: (progress: RunProgress) => void; end: () => void };

/**
 * Progress of the briefs running in this process, for whoever follows them. Plain listener sets,
 * no Node APIs, so it works on Workers too (there each request has its own, so followers poll).
 */
export class BriefEventHub {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Starts listening to one brief; returns the function that stops. */
  subscribe(briefId: string, listener: Listener): () => void {
    let set = this.listeners.get(briefId);
    if (!set) this.listeners.set(briefId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(briefId) === set) this.listeners.delete(briefId);
    };
  }

  emit(briefId: string, progress: RunProgress): void {
    for (const listener of this.listeners.get(briefId) ?? []) listener.progress(progress);
  }

  /** The run has finished and its row holds the outcome. */
  end(briefId: string): void {
    for (const listener of this.listeners.get(briefId) ?? []) listener.end();
    this.listeners.delete(briefId);
  }
}
