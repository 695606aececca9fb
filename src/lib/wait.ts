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
  for (;;) {
    const row = await read();
    if (row.status !== 'running' || runningHere() || Date.now() >= deadline) return row;
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, deadline - Date.now())));
  }
}
