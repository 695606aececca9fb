import type { BriefView } from './view.js';
import type { RunProgress } from './run.js';

/** What `GET /v1/briefs/:id/events` sends, in order: state on connect, progress, then one final event. */
export type BriefEvent =
  | { type: 'status'; id: string; status: BriefView['status']; chunks: number | null }
  | { type: 'queued'; id: string; chunks: number }
  | ({ type: 'progress'; id: string } & Extract<RunProgress, { stage: 'map' | 'reduce' }>)
  | ({ type: 'verified'; id: string } & Omit<Extract<RunProgress, { stage: 'verified' }>, 'stage'>)
  | { type: 'succeeded'; id: string; brief: BriefView }
  | { type: 'failed'; id: string; error: { code: string; message: string } };

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

/** What following a brief needs from the brief service. */
export interface FollowSource {
  get(id: string): Promise<BriefView>;
  isRunning(id: string): boolean;
  readonly events: BriefEventHub;
}

const isFinal = (view: BriefView) => view.status !== 'running';

function finalEvent(view: BriefView): BriefEvent {
  return view.status === 'succeeded'
    ? { type: 'succeeded', id: view.id, brief: view }
    : { type: 'failed', id: view.id, error: view.error ?? { code: 'internal', message: 'The brief failed' } };
}

/**
 * The events of one brief until it finishes: its state now, then live progress when it runs in
 * this process, or nothing but the final event when another process runs it (its row is polled).
 * A finished brief yields its final event at once. Stops early when `signal` aborts.
 */
export async function* followBrief(source: FollowSource, id: string, options: { pollMs: number; signal: AbortSignal }): AsyncGenerator<BriefEvent> {
  const { pollMs, signal } = options;
  const queue: BriefEvent[] = [];
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => wake?.();
  // Subscribe before reading the row, so the end of a run cannot slip between the two.
  const unsubscribe = source.events.subscribe(id, {
    progress: (progress) => {
      if (progress.stage === 'verified') queue.push({ type: 'verified', id, citations: progress.citations, verifiedCitations: progress.verifiedCitations });
      else if (progress.stage === 'queued') queue.push({ type: 'queued', id, chunks: progress.chunks });
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
    let view = await source.get(id);
    if (isFinal(view)) return yield finalEvent(view);
    yield { type: 'status', id, status: view.status, chunks: view.chunks };
    if (source.isRunning(id)) {
      while (!signal.aborted) {
        const next = queue.shift();
        if (next) yield next;
        else if (ended) break;
        else await new Promise<void>((resolve) => (wake = resolve));
      }
    }
    while (!signal.aborted) {
      view = await source.get(id);
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
