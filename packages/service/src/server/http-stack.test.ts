/**
 * The HTTP stack's bundle (scripts/bundle-vendor.mjs) leaves Node's http2
 * module to its first use: Fastify requires it at load for its http2 option,
 * which the service never sets, and loading it was a third of the stack's
 * load. Checked in a fresh process, where nothing else has loaded it; the
 * option still works.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const STACK = new URL('./http-stack.js', import.meta.url).href;

it('loads without http2, which Fastify loads when its http2 option is used', async () => {
  const script = `
    const { Fastify, websocket } = await import(${JSON.stringify(STACK)});
    const loaded = () => process.moduleLoadList.some((m) => m === 'NativeModule http2');
    const atLoad = loaded();
    const app = Fastify();
    await app.register(websocket);
    await app.ready();
    const withApp = loaded();
    const h2 = Fastify({ http2: true });
    await h2.ready();
    console.log(JSON.stringify({ atLoad, withApp, h2: h2.server.constructor.name, later: loaded() }));
    await Promise.all([app.close(), h2.close()]);`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  assert.deepEqual(JSON.parse(stdout), { atLoad: false, withApp: false, h2: 'Http2Server', later: true });
});
