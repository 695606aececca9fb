/**
 * Interactive work (a brief or perspectives run a user asked for through the API, the web pages
 * or the CLI) goes ahead of background work (the briefs of a corpus evaluation).
 */
export type Priority = 'interactive' | 'background';

/** Whose call a task is, how urgent, and what cancels it while it waits. */
export interface Turn {
  /** The run the call belongs to (a brief's or a perspectives run's id): slots go round its owners. */
  owner: string;
  /** `interactive` when not given. */
  priority?: Priority | undefined;
  /** Aborting it takes a waiting task out of the queue and rejects it with the signal's reason. */
  signal?: AbortSignal | undefined;
}

/** Runs `task` when the limit gives it a slot. */
export type Limiter = <T>(task: () => Promise<T>, turn: Turn) => Promise<T>;

interface Waiting {
  owner: string;
  priority: Priority;
  signal: AbortSignal | undefined;
  start: () => void;
  cancel: (reason: unknown) => void;
}

/**
 * At most `concurrency` tasks at once, shared fairly between owners: when a slot frees, it goes
 * to the waiting owner with the fewest tasks running, and among those to the one whose turn came
 * longest ago (round-robin); interactive owners before background ones. A FIFO queue (p-limit)
 * made a one-chunk brief wait behind every queued chunk of a long brief posted just before it;
 * now it waits for the first slot to free. A task is never preempted: a slot is given back only
 * when its task ends.
 *
 * `reserve` slots (LLM_RESERVED_SLOTS) are kept for interactive owners, and from any one owner:
 * none runs more than `concurrency - reserve` tasks at once, and background tasks never fill the
 * reserve. A brief that arrives while one other brief holds every slot it may starts at once
 * rather than after the first of its calls ends, at the cost of that share of a lone brief's
 * throughput. (With several briefs running the reserve may be in use; slots go round as above.)
 */
export function fairLimit(concurrency: number, reserve = 0): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new RangeError(`concurrency must be a whole number ≥ 1, not ${concurrency}`);
  if (!Number.isInteger(reserve) || reserve < 0 || reserve >= concurrency)
    throw new RangeError(
      `reserved slots must be a whole number from 0 to ${concurrency - 1} (the concurrency less one), not ${reserve}`,
    );
  const share = concurrency - reserve;
  let active = 0;
  const running = new Map<string, number>();
  // Each class's owners in turn order, each with its waiting tasks in arrival order. A Map keeps
  // insertion order, so the front is the next owner, and re-inserting one moves it to the back.
  const queues: Record<Priority, Map<string, Set<Waiting>>> = {
    interactive: new Map(),
    background: new Map(),
  };
  // One abort listener per signal, not one per task: a brief's 40 queued calls share a signal,
  // and more than 10 listeners on one makes Node warn of a leak.
  const watched = new WeakMap<AbortSignal, { waiting: Set<Waiting>; onAbort: () => void }>();

  const unwatch = (entry: Waiting) => {
    const watch = entry.signal && watched.get(entry.signal);
    if (!watch) return;
    watch.waiting.delete(entry);
    if (watch.waiting.size > 0) return;
    entry.signal!.removeEventListener('abort', watch.onAbort);
    watched.delete(entry.signal!);
  };

  const dequeue = (entry: Waiting) => {
    const ring = queues[entry.priority];
    const waiting = ring.get(entry.owner);
    waiting?.delete(entry);
    if (waiting?.size === 0) ring.delete(entry.owner);
    unwatch(entry);
  };

  /** The owner to serve next: fewest running (below its share), then earliest in turn order. */
  const pick = (ring: Map<string, Set<Waiting>>): string | undefined => {
    let chosen: string | undefined;
    let fewest = share;
    for (const owner of ring.keys()) {
      const count = running.get(owner) ?? 0;
      if (count < fewest) [chosen, fewest] = [owner, count];
      if (count === 0) break;
    }
    return chosen;
  };

  const next = () => {
    while (active < concurrency) {
      // Interactive owners first. Background ones never take the reserved slots: those wait for
      // an interactive owner, and so, while a user's call waits, no background call starts.
      let ring = queues.interactive;
      let owner = pick(ring);
      if (owner === undefined && active < share) {
        ring = queues.background;
        owner = pick(ring);
      }
      if (owner === undefined) return;
      const waiting = ring.get(owner)!;
      const entry = waiting.values().next().value!;
      dequeue(entry);
      // The owner goes to the back of the turn order if it has more waiting.
      if (waiting.size > 0) {
        ring.delete(owner);
        ring.set(owner, waiting);
      }
      active++;
      running.set(owner, (running.get(owner) ?? 0) + 1);
      entry.start();
    }
  };

  return <T>(task: () => Promise<T>, turn: Turn) =>
    new Promise<T>((resolve, reject) => {
      const { owner, priority = 'interactive', signal } = turn;
      if (signal?.aborted) return reject(signal.reason);
      const entry: Waiting = {
        owner,
        priority,
        signal,
        start: () => {
          // A task that throws before returning its promise still gives its slot back.
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              active--;
              const count = running.get(owner)! - 1;
              if (count > 0) running.set(owner, count);
              else running.delete(owner);
              next();
            });
        },
        cancel: reject,
      };
      const ring = queues[priority];
      const waiting = ring.get(owner) ?? new Set<Waiting>();
      if (waiting.size === 0) ring.set(owner, waiting);
      waiting.add(entry);
      if (signal) {
        let watch = watched.get(signal);
        if (!watch) {
          const cancelled = new Set<Waiting>();
          const onAbort = () => {
            for (const queued of [...cancelled]) {
              dequeue(queued);
              queued.cancel(signal.reason);
            }
          };
          watch = { waiting: cancelled, onAbort };
          watched.set(signal, watch);
          signal.addEventListener('abort', onAbort, { once: true });
        }
        watch.waiting.add(entry);
      }
      next();
    });
}
