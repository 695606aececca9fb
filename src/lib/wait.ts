/**
 * Waits up to `waitMs` for work that writes a row to finish: on its run in this process (which
 * settles to the final row, so nothing is read again), else by reading the row, which another
 * process writes, every `pollMs`. Returns the row as it is when it is no longer running, when
 * the run is this process's (it was still going at the deadline) or at the deadline.
 */
export async function waitForRow<Row extends { status: string }>(options: {
  run: Promise<Row | undefined> | undefined;
  read: () => Promise<Row>;
  runningHere: () => boolean;
  waitMs: number;
  pollMs: number;
}): Promise<Row> {
  const { run, read, runningHere, waitMs, pollMs } = options;
  const deadline = Date.now() + waitMs;
  if (run && waitMs > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const final = await Promise.race([
      run,
      new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs))),
    ]);
    clearTimeout(timer);
    if (final) return final;
  }
  // The first re-reads come sooner (100 ms, doubling up to pollMs), so a short run that a
  // Worker's queue consumer does is answered without waiting a whole poll interval.
  let pause = Math.min(100, pollMs);
  for (;;) {
    const row = await read();
    if (row.status !== 'running' || runningHere() || Date.now() >= deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pause, deadline - Date.now())));
    pause = Math.min(pause * 2, pollMs);
  }
}

/**
 * Lets the event loop serve pending I/O (another request, a health check) before the next
 * slice of work. On Node that takes two `setImmediate` hops: work that runs in an I/O callback
 * (a request's body arrived, a worker thread answered) is in the loop's poll phase, and one
 * `setImmediate` from there runs in the check phase of the same iteration, before the loop
 * polls for I/O again; the second runs after the next poll. (A zero timeout would not do either:
 * timers run before the poll.) Where there is no `setImmediate` (Workers), a zero timeout.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof setImmediate === 'function') setImmediate(() => setImmediate(resolve));
    else setTimeout(resolve, 0);
  });
}

let lastTurn: Promise<void> = Promise.resolve();

/**
 * Waits for a turn of the event loop of one's own: callers are let through one per turn, in the
 * order they asked. Many awaiting `yieldToEventLoop()` at once would all resume in the same
 * turn (Node runs every queued `setImmediate` callback in one pass), holding the loop for all
 * of their work together; a brief's map calls each hash a chunk when they start (issue 17).
 */
export function takeTurn(): Promise<void> {
  const turn = lastTurn.then(yieldToEventLoop);
  lastTurn = turn;
  return turn;
}
