/** Scanners listed by URL (EsclScanners, `devices add`) and endpoints built from mDNS answers. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol';
import { resolveSettings } from '../../config/load.js';
import { EsclScannerDirectory, endpointsFromServices, rootPath } from './discovery.js';
import type { BrowsedService } from './mdns-browser.js';

const file = '/etc/scanbridge/scanbridge.ini';
const fromIni = (value: string) => resolveSettings({ ini: { file, text: `[scanbridge]\nEsclScanners = ${value}\n` } }).settings.esclScanners;

async function withTemp<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-escl-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('EsclScanners in scanbridge.ini', () => {
  it('takes URLs separated by commas or spaces, adds /eSCL to a bare host and keeps duplicates once', () => {
    assert.deepEqual(fromIni('http://192.168.7.20, https://scan.example.net:8443/eSCL/  http://[fd00::5]:8080 http://192.168.7.20/eSCL'), [
      'http://192.168.7.20/eSCL',
      'https://scan.example.net:8443/eSCL',
      'http://[fd00::5]:8080/eSCL',
    ]);
    assert.deepEqual(fromIni(''), []);
  });

  it('names the bad entry and what is wrong with it', () => {
    const cases: [string, string][] = [
      ['192.168.7.20', '"192.168.7.20" is not an absolute URL'],
      ['ftp://192.168.7.20/eSCL', '"ftp://192.168.7.20/eSCL" uses ftp, not http or https'],
      ['http://admin:pw@192.168.7.20/eSCL', '"http://admin:pw@192.168.7.20/eSCL" carries credentials; eSCL scanners take none in the URL'],
      ['http://192.168.7.20/eSCL?x=1', '"http://192.168.7.20/eSCL?x=1" has a query or fragment'],
    ];
    for (const [entry, problem] of cases) {
      assert.throws(() => fromIni(`http://10.0.0.1/eSCL, ${entry}`), {
        name: 'ConfigError',
        message: `${file}:2: bad value for EsclScanners: ${problem} (expected an http:// or https:// URL of the scanner, like http://192.168.1.20/eSCL)`,
      });
    }
  });
});

describe('the eSCL directory without mDNS', () => {
  it('lists the administrator\'s and the user\'s scanners, keeps the user\'s across restarts, and tells listeners', () =>
    withTemp(async (dir) => {
      const userFile = path.join(dir, 'escl-scanners.json');
      const open = () => EsclScannerDirectory.open({ discovery: false, listed: ['http://10.1.2.3/eSCL'], userFile });
      const first = await open();
      let told = 0;
      first.onChange(() => told++);
      assert.deepEqual(await first.addUserScanner(' https://10.1.2.4:8443/ '), { url: 'https://10.1.2.4:8443/eSCL', added: true });
      assert.deepEqual(await first.addUserScanner('https://10.1.2.4:8443/eSCL'), { url: 'https://10.1.2.4:8443/eSCL', added: false });
      // Listed by the administrator already: kept once, as the administrator's.
      await first.addUserScanner('http://10.1.2.3');
      assert.equal(told, 1);
      await first.close();

      const second = await open();
      assert.deepEqual(second.endpoints(), [
        { url: 'http://10.1.2.3/eSCL', name: '10.1.2.3', source: 'config', txt: {} },
        { url: 'https://10.1.2.4:8443/eSCL', name: '10.1.2.4:8443', source: 'user', txt: {} },
      ]);
      assert.equal(await second.removeUserScanner('https://10.1.2.4:8443'), true);
      assert.equal(await second.removeUserScanner('https://10.1.2.4:8443'), false);
      assert.deepEqual(second.endpoints().map((e) => e.url), ['http://10.1.2.3/eSCL']);
      assert.deepEqual(JSON.parse(await readFile(userFile, 'utf8')), { scanners: ['http://10.1.2.3/eSCL'] });
      await second.close();
    }));

  it('refuses a bad URL from `devices add` with invalid-params naming it, and adds nothing', () =>
    withTemp(async (dir) => {
      const directory = await EsclScannerDirectory.open({ discovery: false, listed: [], userFile: path.join(dir, 'u.json') });
      await assert.rejects(directory.addUserScanner('smb://printer/scan'), (err: unknown) => {
        assert.ok(err instanceof ScanbridgeError);
        assert.equal(err.code, 'invalid-params');
        assert.match(err.message, /^params\.url: "smb:\/\/printer\/scan" uses smb, not http or https/);
        return true;
      });
      assert.deepEqual(directory.endpoints(), []);
      await directory.close();
    }));

  it('skips a hand-edited entry that is not a URL and keeps the others', () =>
    withTemp(async (dir) => {
      const userFile = path.join(dir, 'u.json');
      await writeFile(userFile, JSON.stringify({ scanners: ['not a url', 42, 'http://10.9.9.9'] }));
      const directory = await EsclScannerDirectory.open({ discovery: false, listed: [], userFile });
      assert.deepEqual(directory.endpoints().map((e) => e.url), ['http://10.9.9.9/eSCL']);
      await directory.close();
    }));
});

describe('endpoints from mDNS answers', () => {
  const service = (over: Partial<BrowsedService>): BrowsedService => ({
    fqdn: 'MFP._uscan._tcp.local', type: '_uscan._tcp', name: 'MFP', host: 'mfp.local', port: 80, txt: { rs: 'eSCL', uuid: 'ABC' }, addresses: ['192.168.1.9'], ...over,
  });

  it('takes the path from rs, the address from A (else a global AAAA), and the https service of a scanner announcing both', () => {
    assert.deepEqual(endpointsFromServices([service({}), service({ fqdn: 'MFP._uscans._tcp.local', type: '_uscans._tcp', port: 443, txt: { rs: '/eSCL/', UUID: 'urn:uuid:abc' } })]), [
      { url: 'https://192.168.1.9:443/eSCL', name: 'MFP', uuid: 'abc', source: 'mdns', txt: { rs: '/eSCL/', UUID: 'urn:uuid:abc' } },
    ]);
    assert.deepEqual(endpointsFromServices([service({ addresses: ['fe80::1', '2001:db8::7'], txt: { rs: '' } })]).map((e) => e.url), ['http://[2001:db8::7]:80']);
    assert.deepEqual(endpointsFromServices([service({ addresses: ['fe80::1'] })]), [], 'a link-local address alone cannot be written in a URL');
    // Two scanners without uuid but with different names stay two.
    assert.equal(endpointsFromServices([service({ txt: {} }), service({ fqdn: 'Other._uscan._tcp.local', name: 'Other', txt: {} })]).length, 2);
  });

  it('reads rs as clients do', () => {
    assert.equal(rootPath(undefined), '/eSCL');
    assert.equal(rootPath('eSCL'), '/eSCL');
    assert.equal(rootPath('/scan/eSCL/'), '/scan/eSCL');
    assert.equal(rootPath(''), '');
  });
});
