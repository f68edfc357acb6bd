/** AbortSignal where a call can be cancelled: any call, a scan (cancels the job), connect() (also while it waits). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { ScanbridgeError } from '@scanbridge/protocol';
import type { ScanbridgeClient } from './client.js';
import { connectNode, withConnectedClient } from './test-support/node-client.js';

const isAbort = (err: unknown) => (err as Error)?.name === 'AbortError';

describe('AbortSignal', () => {
  let client!: ScanbridgeClient;
  withConnectedClient((c) => (client = c));

  it('cancels a call in flight; the client goes on working', async () => {
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 2, pageDelay: 1000 } } });
    const controller = new AbortController();
    const waiting = client.waitJob({ job: job.id, timeout: 60 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(waiting, isAbort);
    await assert.rejects(client.getImageCount(undefined, { signal: AbortSignal.abort() }), isAbort);
    await job.cancel();
    assert.equal(typeof (await client.getImageCount()), 'number');
  });

  it('cancels a scan job when its signal aborts; the pages acquired before stay', async () => {
    const before = await client.getImageCount();
    const controller = new AbortController();
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 5, pageDelay: 300 } } }, { signal: controller.signal });
    const first = await new Promise((resolve) => job.on('page', resolve));
    controller.abort();
    await assert.rejects(job.done, (err: unknown) => err instanceof ScanbridgeError && err.code === 'job-cancelled');
    const kept = (await client.getImageCount()) - before;
    assert.ok(kept >= 1 && kept < 5, `kept ${kept} page(s)`);
    assert.ok(first);
  });

  it('stops connect() that waits on a silent port, with the signal\'s reason rather than after its time limit', async () => {
    // A program that accepts connections and never answers.
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const controller = new AbortController();
      const connecting = connectNode({ httpPort: (silent.address() as { port: number }).port, timeoutMs: 600_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 100);
      await assert.rejects(connecting, isAbort);
    } finally {
      sockets.forEach((s) => s.destroy());
      silent.close();
    }
  });
});
