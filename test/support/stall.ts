/**
 * How long `GET /healthz` takes while other work runs on the same server: requests one after
 * another (each waits `gapMs` after the last answer) until `until` settles; the latencies in ms.
 */
export async function healthzLatencies<T>(
  url: string,
  until: Promise<T>,
  gapMs = 20,
): Promise<{ result: T; latencies: number[] }> {
  let done = false;
  const settled = until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${url}/healthz`);
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  return { result: await settled, latencies };
}

/** The p-th percentile (0–100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
