/**
 * `scanbridge cert` as a user types it (with a temporary HOME): help, usage
 * errors, a service folder without a certificate, status in text and JSON.
 * Install and remove against the stores are tested in security/trust/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../test-support/service-harness.js';
import { parseListing } from '../security/trust/nss-store.js';
import { installTrust } from '../security/trust/service-ca-trust.js';
import { DEBIAN_LAYOUT, FEDORA_LAYOUT } from '../security/trust/system-store.js';
import { EXIT } from './usage.js';

const run = promisify(execFile);

describe('scanbridge cert', () => {
  let root: string;
  let userHome: string;
  let home: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-cert-cli-'));
    userHome = path.join(root, 'user');
    home = path.join(root, 'service');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('--help, and a missing or unknown action is a usage error (exit 2)', async () => {
    const help = await runCli(['cert', '--help']);
    assert.equal(help.code, EXIT.ok);
    assert.match(help.stdout, /^Usage: scanbridge cert install \| remove \| status/);
    assert.match(help.stdout, /libnss3-tools/);
    for (const args of [['cert'], ['cert', 'trust'], ['cert', 'install', 'extra']]) {
      const r = await runCli([...args, '--home', home], { HOME: userHome });
      assert.equal(r.code, EXIT.usage, args.join(' '));
      assert.match(r.stderr, /expected `install`, `remove` or `status`/);
    }
    assert.match((await runCli(['--help'])).stdout, /^\s+cert\s+make the browsers trust the HTTPS certificate/m);
  });

  it('a service folder without a certificate: status fails and says how, remove has nothing to do', async () => {
    const status = await runCli(['cert', 'status', '--home', home], { HOME: userHome });
    assert.equal(status.code, EXIT.failure);
    assert.match(status.stdout, /no certificate in .*cert .*`scanbridge cert install` makes and trusts one/);
    const remove = await runCli(['cert', 'remove', '--home', home], { HOME: userHome });
    assert.equal(remove.code, EXIT.ok);
    assert.match(remove.stdout, /nothing to remove/);
  });

  it('status tells where it is trusted, in text and in JSON', async () => {
    await installTrust(home, { platform: 'linux', userHome, configHome: path.join(userHome, '.config'), env: process.env, admin: false, systemLayout: null }, { system: false });
    const text = await runCli(['cert', 'status', '--home', home], { HOME: userHome });
    assert.equal(text.code, EXIT.ok, text.stdout + text.stderr);
    assert.match(text.stdout, /^certificate authority .*scanbridge-ca\.crt \(SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}, valid until \d{4}-\d\d-\d\d\)$/m);
    assert.match(text.stdout, new RegExp(`^trusted\\s+Chromium/Chrome \\(NSS\\) ${userHome}/\\.pki/nssdb$`, 'm'));
    const json = await runCli(['cert', 'status', '--json', '--home', home], { HOME: userHome });
    const parsed = JSON.parse(json.stdout) as { authority: { file: string }; stores: { store: string; location: string; trusted: boolean }[] };
    assert.equal(parsed.authority.file, path.join(home, 'cert', 'scanbridge-ca.crt'));
    assert.deepEqual(parsed.stores.find((s) => s.store === 'Chromium/Chrome (NSS)'), { store: 'Chromium/Chrome (NSS)', location: path.join(userHome, '.pki', 'nssdb'), trusted: true, changed: false });
  });

  it('`cert install --no-system` as root writes no file to the machine\'s system store', async () => {
    const service = path.join(root, 'no-system-service');
    const env = { HOME: userHome, XDG_CONFIG_HOME: path.join(userHome, '.config') };
    const r = await runCli(['cert', 'install', '--no-system', '--home', service], env);
    assert.equal(r.code, EXIT.ok, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /system store/);
    const sha256 = new X509Certificate(await readFile(path.join(service, 'cert', 'scanbridge-ca.crt'))).fingerprint256.replaceAll(':', '').toLowerCase();
    for (const layout of [DEBIAN_LAYOUT, FEDORA_LAYOUT]) await assert.rejects(stat(path.join(layout.dir, `scanbridge-${sha256}.crt`)), layout.dir);
    const status = await runCli(['cert', 'status', '--no-system', '--home', service], env);
    assert.doesNotMatch(status.stdout, /system store/);
    assert.equal((await runCli(['cert', 'remove', '--no-system', '--home', service], env)).code, EXIT.ok);
  });

  it('install trusts the certificate for the user, uninstall takes the trust out before deleting the folder', async () => {
    const user = path.join(root, 'installing-user');
    const service = path.join(user, 'service');
    const env = { HOME: user, XDG_CONFIG_HOME: path.join(user, '.config') };
    const nssdb = path.join(user, '.pki', 'nssdb');
    const ours = async () => [...parseListing((await run('certutil', ['-L', '-d', `sql:${nssdb}`])).stdout)].filter(([name]) => name.startsWith('scanbridge local CA '));
    const install = await runCli(['install', '--no-start', '--home', service], env);
    assert.equal(install.code, EXIT.ok, install.stdout + install.stderr);
    assert.match(install.stdout, new RegExp(`^trusted\\s+Chromium/Chrome \\(NSS\\) ${nssdb}$`, 'm'));
    const [entry, ...others] = await ours();
    assert.deepEqual(others, []);
    assert.equal(entry?.[1], 'C,,');
    const uninstall = await runCli(['uninstall', '--purge', '--home', service], env);
    assert.equal(uninstall.code, EXIT.ok, uninstall.stdout + uninstall.stderr);
    assert.match(uninstall.stdout, /^removed from Chromium\/Chrome \(NSS\) /m);
    assert.deepEqual(await ours(), []);
    await assert.rejects(stat(service));
  });
});
