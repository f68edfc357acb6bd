/**
 * Programs of other user accounts are refused (other-user): a request sent
 * by a process running as `nobody` against a service running as this user,
 * over IPv4 and IPv6 loopback, and through the WebSocket. The tests run as
 * root in CI (they also install the .deb), which may start a process as another user.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startInProcess, type InProcess } from '../test-support/service-harness.js';
import { addressBytes, peerUid, procEndpoint } from './peer-user.js';

const run = promisify(execFile);
const NOBODY = 65534;

/** GET `url` from a process running as `uid`: the status and the error code of the answer. */
async function getAs(uid: number, url: string): Promise<{ status: number; code: string | null }> {
  const script = `fetch(${JSON.stringify(url)}).then(async (r) => console.log(JSON.stringify({ status: r.status, code: (await r.json()).error?.code ?? null })), (e) => { console.error(e); process.exit(3); })`;
  const { stdout } = await run(process.execPath, ['-e', script], { uid, gid: uid, cwd: '/' });
  return JSON.parse(stdout) as { status: number; code: string | null };
}

/** Open a WebSocket from a process running as `uid`: how it ended. */
async function socketAs(uid: number, url: string): Promise<string> {
  // Node 20 has no global WebSocket: a raw upgrade request shows the answer's status line.
  const script = `const s = require('net').connect(${new URL(url).port}, ${JSON.stringify(new URL(url).hostname)}, () => s.write('GET /ws HTTP/1.1\\r\\nHost: ${new URL(url).host}\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n')); let t = ''; s.on('data', (d) => { t += d; if (t.includes('\\r\\n\\r\\n')) { console.log(t.split('\\r\\n')[0] + (t.includes('other-user') ? ' other-user' : '')); s.destroy(); } });`;
  const { stdout } = await run(process.execPath, ['-e', script], { uid, gid: uid, cwd: '/' });
  return stdout.trim();
}

describe('connections from other user accounts', () => {
  it('writes addresses as the kernel does', () => {
    assert.deepEqual(addressBytes('::ffff:127.0.0.1'), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 127, 0, 0, 1]);
    assert.deepEqual(addressBytes('::1')?.at(-1), 1);
    assert.equal(addressBytes('1.2.3.256'), null);
    assert.deepEqual(procEndpoint('127.0.0.1', 18622), ['0100007F:48BE', '0000000000000000FFFF00000100007F:48BE']);
    assert.deepEqual(procEndpoint('::1', 80), ['00000000000000000000000001000000:0050']);
    assert.deepEqual(procEndpoint('::ffff:127.0.0.1', 80), ['0000000000000000FFFF00000100007F:0050', '0100007F:0050']);
  });

  describe('on IPv4 and IPv6 loopback', () => {
    let v4: InProcess;
    let v6: InProcess;
    let open: InProcess;
    before(async () => {
      v4 = await startInProcess();
      v6 = await startInProcess({ 'bind-address': '::1' });
      open = await startInProcess({ 'allow-other-users': 'true' });
    });
    after(async () => {
      await v4?.close();
      await v6?.close();
      await open?.close();
    });

    it("answers this user's programs and refuses another account's with other-user", async () => {
      assert.equal(process.getuid?.(), 0, 'these tests run as root (CI does), to start a process as nobody');
      for (const svc of [v4, v6]) {
        const base = `http://${svc === v6 ? '[::1]' : '127.0.0.1'}:${svc.ports.http}`;
        assert.deepEqual(await getAs(0, `${base}/fa/VersionInfo`), { status: 200, code: null });
        assert.deepEqual(await getAs(NOBODY, `${base}/fa/VersionInfo`), { status: 403, code: 'other-user' });
        // The welcome pages too: another person must not approve origins for this user.
        assert.equal((await getAs(NOBODY, `http://${svc === v6 ? '[::1]' : '127.0.0.1'}:${svc.ports.welcomeHttp}/fa/VersionInfo`)).code, 'other-user');
      }
      assert.equal(await socketAs(NOBODY, `http://127.0.0.1:${v4.ports.http}/ws`), 'HTTP/1.1 403 Forbidden other-user');
    });

    it('refuses another account on the second loopback address a listener holds ([::1] besides 127.0.0.1), on every port', async () => {
      for (const [name, port] of Object.entries(v4.ports)) {
        const scheme = name === 'https' || name === 'welcomeHttps' ? 'https' : 'http';
        if (scheme === 'https') continue; // fetch in the child would refuse the local CA; the TLS listeners share the check
        assert.deepEqual(await getAs(0, `${scheme}://[::1]:${port}/fa/VersionInfo`), { status: 200, code: null }, name);
        assert.deepEqual(await getAs(NOBODY, `${scheme}://[::1]:${port}/fa/VersionInfo`), { status: 403, code: 'other-user' }, name);
      }
    });

    it('answers every account when the administrator allows it (AllowOtherUsers)', async () => {
      assert.deepEqual(await getAs(NOBODY, `http://127.0.0.1:${open.ports.http}/fa/VersionInfo`), { status: 200, code: null });
    });

    it('finds the owner of each of many connections at once', async () => {
      const results = await Promise.all(Array.from({ length: 40 }, () => fetch(`http://127.0.0.1:${v4.ports.http}/fa/VersionInfo`, { headers: { connection: 'close' } }).then((r) => r.status)));
      assert.deepEqual(new Set(results), new Set([200]));
    });

    it('an unknown connection has no owner', async () => {
      assert.equal(await peerUid({ remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1', localPort: 2 }), null);
    });
  });
});
