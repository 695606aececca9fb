import type { Context, MiddlewareHandler } from 'hono';
import { AppError } from '../errors.js';
import { sha256Hex } from '../lib/hash.js';
import type { AppEnv } from '../routes/app-env.js';

export interface RateLimitOptions {
  /** Requests allowed per client per minute; 0 turns the limit off. */
  perMinute: number;
  /** The client's address, when the runtime knows it. */
  clientAddress: (c: Context<AppEnv>) => string | undefined;
  /**
   * Whether a bearer token is one of the server's (src/middleware/auth.ts `tokenChecker`). Only
   * a valid token has a budget of its own: keyed on any token sent, a client sending a new random
   * one per request was never limited.
   */
  isValidToken: (token: string) => Promise<boolean>;
  now?: () => number;
}

/**
 * A token bucket per client: the bearer token when it is a valid one (hashed, never kept in
 * clear), else the client address. A client over its budget gets 429 rate_limited with Retry-After.
 * In memory, per process: with several processes each enforces its own budget.
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const capacity = options.perMinute;
  const refillPerMs = capacity / 60_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, { tokens: number; at: number }>();
  return async (c, next) => {
    if (capacity <= 0) return next();
    const key = await clientKey(c, options);
    const time = now();
    const bucket = buckets.get(key) ?? { tokens: capacity, at: time };
    bucket.tokens = Math.min(capacity, bucket.tokens + (time - bucket.at) * refillPerMs);
    bucket.at = time;
    if (bucket.tokens < 1) {
      buckets.set(key, bucket);
      const retryAfter = Math.ceil((1 - bucket.tokens) / refillPerMs / 1000);
      c.header('Retry-After', String(retryAfter));
      throw new AppError('rate_limited', `Too many requests; retry in ${retryAfter} s`);
    }
    bucket.tokens -= 1;
    buckets.set(key, bucket);
    if (buckets.size > 10_000) pruneFull(buckets, capacity, time, refillPerMs);
    return next();
  };
}

async function clientKey(c: Context<AppEnv>, options: RateLimitOptions): Promise<string> {
  const token = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  if (token && (await options.isValidToken(token))) return `token:${await sha256Hex(token)}`;
  return `address:${options.clientAddress(c) ?? 'unknown'}`;
}

/** Forgets clients whose bucket has refilled: they are indistinguishable from new ones. */
function pruneFull(
  buckets: Map<string, { tokens: number; at: number }>,
  capacity: number,
  time: number,
  refillPerMs: number,
) {
  for (const [key, bucket] of buckets) {
    if (bucket.tokens + (time - bucket.at) * refillPerMs >= capacity) buckets.delete(key);
  }
}
