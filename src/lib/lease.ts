/**
 * Renews a lease while work runs: calls `renew(until)` every third of `leaseMs` with the new
 * expiry, so the lease lapses within `leaseMs` of the process stopping. Returns the function
 * that stops renewing. The timer does not keep the process alive.
 */
export function renewLease(
  leaseMs: number,
  renew: (until: number) => Promise<unknown>,
  onError: (error: unknown) => void = () => {},
): () => void {
  const timer = setInterval(
    () => void renew(Date.now() + leaseMs).catch(onError),
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  (timer as { unref?: () => void }).unref?.();
  return () => clearInterval(timer);
}
