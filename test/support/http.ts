import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';

/**
 * Serves a test app's `fetch` with @hono/node-server on a free loopback port: the path a real
 * server takes (headers written onto the ServerResponse, src/middleware/request-context.ts),
 * which `app.request` does not. `close()` stops it.
 */
export async function serveApp(fetch: (request: Request) => Response | Promise<Response>) {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
