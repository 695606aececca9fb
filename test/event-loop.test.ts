import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { takeTurn, yieldToEventLoop } from '../src/lib/wait.js';

/**
 * Work that runs in an I/O callback (a request's body arrived, the work thread answered) must,
 * when it yields, let I/O that arrived meanwhile (a health check) be served before it goes on
 * (issue 17). One `setImmediate` from an I/O callback resumes before the loop polls again.
 */
describe('yielding to the event loop', () => {
  const sockets: Socket[] = [];
  let close = () => {};
  afterEach(() => {
    for (const socket of sockets) socket.destroy();
    close();
  });

  async function twoConnections() {
    const accepted: Socket[] = [];
    const server = createServer((socket) => accepted.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    close = () => server.close();
    const { port } = server.address() as AddressInfo;
    const [a, b] = [connect(port, '127.0.0.1'), connect(port, '127.0.0.1')];
    sockets.push(a, b);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (accepted.length === 2) {
          clearInterval(poll);
          resolve();
        }
      }, 1);
    });
    sockets.push(...accepted);
    return { clientA: a, clientB: b, serverA: accepted[0]!, serverB: accepted[1]! };
  }

  for (const [name, pause] of [
    ['yieldToEventLoop', yieldToEventLoop],
    ['takeTurn', takeTurn],
  ] as const) {
    it(`${name} serves I/O that arrived during work done in an I/O callback`, async () => {
      const { clientA, clientB, serverA, serverB } = await twoConnections();
      let bServed = false;
      serverB.on('data', () => (bServed = true));
      const seen = new Promise<boolean>((resolve) => {
        serverA.once('data', async () => {
          // In A's I/O callback: B's bytes are sent now and reach the kernel while we work.
          clientB.write('health check');
          const until = performance.now() + 20;
          while (performance.now() < until) {
            // busy: a slice of CPU-heavy work
          }
          await pause();
          resolve(bServed);
        });
      });
      clientA.write('heavy request');
      expect(await seen).toBe(true);
    });
  }
});
