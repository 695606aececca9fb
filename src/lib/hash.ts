import type * as NodeCrypto from 'node:crypto';

/**
 * Node's own crypto module when the runtime has one (`process.getBuiltinModule`, Node ≥ 20.16),
 * found at run time so the Worker bundle never imports it. Its synchronous sha256 takes ~6 µs
 * for a 3.6 KB document where Web Crypto's promise takes ~60 µs (bench/README.md): that is most
 * of the time of a POST answered from the cache.
 */
const nodeCrypto = (
  globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }
).process?.getBuiltinModule?.('node:crypto') as typeof NodeCrypto | undefined;

/** sha256 as lowercase hex: Node's crypto where there is one, else Web Crypto (Workers). */
export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(data).digest('hex');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/** Bytes as lowercase hex, two digits each. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `count` random bytes (Web Crypto, on Node and Workers) as lowercase hex: ids and fences. */
export function randomHex(count: number): string {
  return toHex(crypto.getRandomValues(new Uint8Array(count)));
}

/** A stable JSON encoding (object keys sorted), so equal values always hash alike. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}
