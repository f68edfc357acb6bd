/** connect() when things are not as they should be: nothing listening, an older or newer service, odd answers. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROTOCOL_VERSION, ScanbridgeError } from '@scanbridge/protocol';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { DEFAULT_INSTALL_URL, readEnvelope } from './transport.js';
import { SDK_VERSION } from './version.js';
import { connectNode } from './test-support/node-client.js';
import { closedPort } from './test-support/same-ports.js';
import { serviceBase } from './connect.js';
import { VERSION } from '@scanbridge/service/dist/version.js';

/** fetch that answers ServiceInfo as a service of another protocol version would. */
function speaking(protocol: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!String(input).includes('/fa/ServiceInfo')) return res;
    const body = (await res.json()) as { result: [{ protocol: number }] };
    body.result[0].protocol = protocol;
    return new Response(JSON.stringify(body), { status: res.status, headers: res.headers });
  };
}

describe('connect', () => {
  let svc: InProcess;
  before(async () => {
    svc = await startInProcess();
  });
  after(() => svc?.close());

  it('rejects with service-not-found carrying the install instructions when nothing answers', async () => {
    const port = await closedPort();
    await assert.rejects(connectNode({ httpPort: port }), (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'service-not-found');
      assert.equal(err.details?.installUrl, DEFAULT_INSTALL_URL);
      assert.equal(err.details?.base, `http://127.0.0.1:${port}`);
      assert.match(err.message, new RegExp(`scanbridge does not answer at http://127\\.0\\.0\\.1:${port}`));
      return true;
    });
    await assert.rejects(connectNode({ httpPort: port, installUrl: 'https://intranet.example/scanning' }), (err: unknown) => err instanceof ScanbridgeError && err.details?.installUrl === 'https://intranet.example/scanning');
  });

  it('rejects a service too old for the SDK with both versions', async () => {
    await assert.rejects(connectNode({ httpPort: svc.ports.http, fetch: speaking(PROTOCOL_VERSION - 1) }), (err: unknown) => {
      assert.ok(err instanceof ScanbridgeError);
      assert.equal(err.code, 'version-mismatch');
      assert.deepEqual(
        { ...err.details },
        { serviceVersion: VERSION, serviceProtocol: PROTOCOL_VERSION - 1, sdkVersion: SDK_VERSION, sdkProtocol: PROTOCOL_VERSION, base: `http://127.0.0.1:${svc.ports.http}` },
      );
      assert.match(err.message, /the service is too old, update scanbridge/);
      return true;
    });
    await assert.rejects(connectNode({ httpPort: svc.ports.http, fetch: speaking(PROTOCOL_VERSION + 1) }), /the SDK is too old, update @scanbridge\/client/);
    assert.equal(svc.service.ctx.sessions.size, 0, 'no session was created on an incompatible service');
  });

  it('resumes a session it is given, and replaces one the service no longer has', async () => {
    const first = await connectNode({ httpPort: svc.ports.http });
    const again = await connectNode({ httpPort: svc.ports.http, session: first.sessionId });
    assert.equal(again.sessionId, first.sessionId);
    const fresh = await connectNode({ httpPort: svc.ports.http, session: 'f'.repeat(32) });
    assert.notEqual(fresh.sessionId, 'f'.repeat(32));
    again.disconnect();
    await first.close();
    await fresh.close();
    assert.equal(svc.service.ctx.sessions.has(first.sessionId), false);
  });

  it('checks its options', () => {
    assert.equal(serviceBase({}), 'http://127.0.0.1:18622');
    assert.equal(serviceBase({ secure: true }), 'https://127.0.0.1:18623');
    assert.equal(serviceBase({ host: 'localhost', httpPort: 9000 }), 'http://localhost:9000');
    assert.throws(() => serviceBase({ httpPort: 70000 }), /options\.httpPort: expected an integer 1\.\.65535, got 70000/);
    assert.throws(() => serviceBase({ host: 'evil.example/x' }), /options\.host/);
  });

  it('maps answers that are not the envelope, and codes it does not know', async () => {
    await assert.rejects(readEnvelope(new Response('<html>', { status: 502 }), 'u'), (err: unknown) => err instanceof ScanbridgeError && err.code === 'internal-error' && /HTTP 502 without a JSON envelope/.test(err.message));
    await assert.rejects(
      readEnvelope(new Response(JSON.stringify({ id: '1', method: 'X', error: { code: 'brand-new-code', message: 'something new' }, cmdId: '' }), { status: 409 }), 'u'),
      (err: unknown) => err instanceof ScanbridgeError && err.code === 'internal-error' && err.message === 'brand-new-code: something new',
    );
    await assert.rejects(
      readEnvelope(new Response(JSON.stringify({ id: '1', method: 'X', error: { code: 'paper-jam', message: 'jammed' }, cmdId: '' }), { status: 409 }), 'u'),
      (err: unknown) => err instanceof ScanbridgeError && err.code === 'paper-jam' && err.message === 'jammed',
    );
  });
});
