/** `scanbridge devices network|add|remove|unpin`: network scanners listed by URL, through a running service. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { runCli, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';
import { CertificatePins } from '../devices/escl/certificate-pins.js';

describe('scanbridge devices: network scanners by URL', () => {
  let home: string;
  let svc: ChildService;
  const args = ['--escl-scanners', 'http://10.20.30.40, https://scan.example.net:8443/eSCL/', '--escl-discovery', 'off'];
  const cli = (...rest: string[]) => runCli(['devices', ...rest, '--home', home]);

  before(async () => {
    home = await tempHome();
    svc = await startChild(home, args);
  });
  after(async () => {
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it("lists the administrator's scanners, adds the user's, refuses a bad URL naming it, and keeps the list across restarts", async () => {
    const listed = await cli('network');
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout, 'http://10.20.30.40/eSCL\tEsclScanners (scanbridge.ini)\nhttps://scan.example.net:8443/eSCL\tEsclScanners (scanbridge.ini)\n');

    const bad = await cli('add', '192.168.7.20:8080');
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, 'scanbridge devices: invalid-params: params.url: "192.168.7.20:8080" is not an absolute URL (expected an http:// or https:// URL of the scanner, like http://192.168.1.20/eSCL)\n');
    const ftp = await cli('add', 'ftp://10.1.1.1/scan');
    assert.match(ftp.stderr, /params\.url: "ftp:\/\/10\.1\.1\.1\/scan" uses ftp, not http or https/);

    const added = await cli('add', 'http://10.1.1.1:8080/');
    assert.equal(added.stdout, 'added http://10.1.1.1:8080/eSCL; it is listed offline while it does not answer\n');
    assert.equal((await cli('add', 'http://10.1.1.1:8080/eSCL')).stdout, 'http://10.1.1.1:8080/eSCL was listed already\n');
    assert.deepEqual(JSON.parse(await readFile(path.join(home, 'escl-scanners.json'), 'utf8')), { scanners: ['http://10.1.1.1:8080/eSCL'] });

    await svc.stop();
    svc = await startChild(home, args);
    assert.deepEqual(JSON.parse((await cli('network', '--json')).stdout), [
      { url: 'http://10.20.30.40/eSCL', source: 'config' },
      { url: 'https://scan.example.net:8443/eSCL', source: 'config' },
      { url: 'http://10.1.1.1:8080/eSCL', source: 'user' },
    ]);

    assert.equal((await cli('remove', 'http://10.1.1.1:8080')).stdout, 'removed http://10.1.1.1:8080\n');
    const again = await cli('remove', 'http://10.20.30.40/eSCL');
    assert.equal(again.code, 1);
    assert.equal(again.stdout, 'http://10.20.30.40/eSCL was not added with devices add (EsclScanners entries are removed in scanbridge.ini)\n');
    assert.equal(JSON.parse((await cli('network', '--json')).stdout).length, 2);
  });

  it('unpin forgets a pinned certificate, by URL or uuid, without the service', async () => {
    const pins = new CertificatePins(path.join(home, 'escl-pins.json'));
    await pins.check({ url: 'https://10.1.1.9:443/eSCL', name: 'MFP', uuid: 'AAAA0000-0000-4000-8000-000000000009' }, 'AB:CD');
    await pins.check({ url: 'https://10.1.1.8/eSCL', name: 'Other' }, 'EF:01');
    const byUuid = await cli('unpin', 'aaaa0000-0000-4000-8000-000000000009');
    assert.equal(byUuid.code, 0, byUuid.stderr);
    assert.equal(byUuid.stdout, 'forgot the certificate pinned for uuid:aaaa0000-0000-4000-8000-000000000009; the next connection pins the one the scanner presents then\n');
    assert.equal((await cli('unpin', 'https://10.1.1.8/eSCL')).code, 0);
    const none = await cli('unpin', 'https://10.1.1.8/eSCL');
    assert.equal(none.code, 1);
    assert.equal(none.stderr, 'no certificate is pinned for https://10.1.1.8/eSCL\n');
    assert.deepEqual(await pins.all(), {});
    assert.equal((await cli('frob')).code, 2);
  });
});
