/** The service crashes (kill -9) and comes back on the same ports: the client reconnects, resumes its session, and the buffer is all there. */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { rpc, startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { ConnectionChange, ScanbridgeClient } from './client.js';
import { connectNode, nextEvent } from './test-support/node-client.js';
import { samePortFlags } from './test-support/same-ports.js';

describe('reconnect', () => {
  let home: string;
  let svc: ChildService | undefined;
  let client: ScanbridgeClient | undefined;
  after(async () => {
    client?.disconnect();
    await svc?.stop();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('survives a crash of the service: same session, same pages, events flow again', async () => {
    home = await tempHome();
    svc = await startChild(home);
    const ports = svc.ports;
    client = await connectNode({ httpPort: ports.http });
    const session = client.sessionId;
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 3 } } });
    await job.done;
    const before = await client.getImagesInfo();
    const changes: ConnectionChange[] = [];
    client.on('connection', (c) => changes.push(c));

    const lost = nextEvent(client, 'connection', (c) => c.state === 'reconnecting');
    await svc.kill9();
    await lost;
    // Calls while the service is away fail with a typed error, not a hang.
    await assert.rejects(client.getImageCount(), (err: Error & { code?: string }) => err.code === 'service-not-found');

    const back = nextEvent(client, 'connection', (c) => c.state === 'connected');
    svc = await startChild(home, samePortFlags(ports));
    assert.deepEqual(await back, { state: 'connected', resumed: true });
    assert.equal(client.sessionId, session);
    assert.deepEqual(await client.getImagesInfo(), before);
    assert.ok(changes.filter((c) => c.state === 'reconnecting').every((c) => typeof c.attempt === 'number'));

    // The new socket carries events for the resumed session.
    const added = nextEvent(client, 'buffer', (e) => e.action === 'add');
    const again = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 1 } } });
    await again.done;
    assert.deepEqual((await added).ids, again.info.pageIds);
    assert.equal(await client.getImageCount(), 4);
  });

  it('continues on a new session when the service lost the old one', async () => {
    const old = client!.sessionId;
    const replaced = nextEvent(client!, 'session');
    const back = nextEvent(client!, 'connection', (c) => c.state === 'connected');
    // Closing the session behind the client's back, then dropping its socket, is what an expired session looks like.
    assert.equal((await rpc(svc!.base, 'f', 'CloseSession', {}, old)).status, 200);
    await svc!.kill9();
    svc = await startChild(home, samePortFlags(svc!.ports));
    const change = await replaced;
    await back;
    assert.equal(change.previous, old);
    assert.notEqual(client!.sessionId, old);
    assert.equal(change.session.id, client!.sessionId);
    assert.equal(await client!.getImageCount(), 0);
  });
});
