import { createConnection } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useServerProcess } from './support/server-process.js';

// A client that hangs up in the middle of its upload is no server error: issue 17 found it
// logged as a 500 "unhandled error". Over a real socket, since only a real one can be cut.
describe('a client that aborts its upload', () => {
  const ctx = useServerProcess();

  it('is logged as aborted, never as a 500, whatever the body type; nothing is stored', async () => {
    const { port, hostname } = new URL(ctx.server.url);
    for (const type of ['text/plain', 'application/json', 'multipart/form-data; boundary=x']) {
      const socket = createConnection(Number(port), hostname);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /v1/briefs HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: 100000\r\n\r\n${'a'.repeat(1000)}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      socket.destroy();
    }
    // Let the server notice the last hang-up and log the request.
    const deadline = Date.now() + 5_000;
    while ((ctx.log().match(/"path":"\/v1\/briefs"/g) ?? []).length < 3 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect((ctx.log().match(/"path":"\/v1\/briefs"/g) ?? []).length).toBe(3);
    expect(ctx.log()).not.toContain('"level":"error"');
    expect(ctx.log()).not.toContain('"status":500');
    const list = (await (await fetch(`${ctx.server.url}/v1/briefs`)).json()) as {
      items: unknown[];
    };
    expect(list.items).toHaveLength(0);
  }, 30_000);
});
