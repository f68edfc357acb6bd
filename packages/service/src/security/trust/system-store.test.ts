/**
 * The machine-wide store with Debian's real update-ca-certificates, pointed at
 * temporary folders instead of /etc and /usr: OpenSSL trusts the server
 * certificate through the built bundle after install and not after remove. As
 * a normal user nothing is written and the message says how an administrator
 * does it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { certificatePaths, loadOrCreateCertificate, type TlsMaterial } from '../certificate.js';
import { reportLine } from '../../cli/cert.js';
import { SystemStore, type SystemLayout } from './system-store.js';
import { trustAnchor, type TrustAnchor } from './trust-store.js';

const run = promisify(execFile);

describe('system store (update-ca-certificates)', () => {
  let root: string;
  let layout: SystemLayout;
  let bundle: string;
  let etc: string;
  let tls: TlsMaterial;
  let anchor: TrustAnchor;
  let serverCert: string;
  let distributionCa: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-system-'));
    const local = path.join(root, 'local');
    etc = path.join(root, 'etc-ssl-certs');
    const conf = path.join(root, 'ca-certificates.conf');
    for (const dir of [local, etc, path.join(root, 'share', 'mozilla')]) await mkdir(dir, { recursive: true });
    // One CA of the distribution, as /usr/share/ca-certificates has: it must stay through install and remove.
    distributionCa = (await loadOrCreateCertificate(path.join(root, 'distribution', 'cert'))).authority.cert;
    await writeFile(path.join(root, 'share', 'mozilla', 'Distribution_Root.crt'), distributionCa);
    await writeFile(conf, 'mozilla/Distribution_Root.crt\n');
    const dirs = ['--certsconf', conf, '--certsdir', path.join(root, 'share'), '--localcertsdir', local, '--etccertsdir', etc, '--hooksdir', path.join(root, 'no-hooks')];
    layout = { dir: local, refresh: ['update-ca-certificates', ...dirs], refreshAfterRemove: ['update-ca-certificates', '--fresh', ...dirs] };
    bundle = path.join(etc, 'ca-certificates.crt');
    tls = await loadOrCreateCertificate(path.join(root, 'service', 'cert'));
    anchor = trustAnchor(tls.authority);
    serverCert = certificatePaths(path.join(root, 'service', 'cert')).cert;
  });
  after(() => rm(root, { recursive: true, force: true }));

  async function opensslTrusts(): Promise<boolean> {
    return run('openssl', ['verify', '-CAfile', bundle, serverCert]).then(
      () => true,
      () => false,
    );
  }

  it('as a normal user: nothing is written, and the message says an administrator runs it with sudo', async () => {
    const store = new SystemStore(layout, false, process.env);
    const r = await store.install(anchor);
    assert.deepEqual([r.trusted, r.changed, r.needsAdmin], [false, false, true]);
    assert.deepEqual(await readdir(layout.dir), []);
    assert.equal(reportLine('install', r, '/home/ann/my service'), `not trusted  system store ${layout.dir}: needs an administrator: sudo scanbridge cert install --home '/home/ann/my service'`);
  });

  it('as root: the CA file is added, the bundle trusts the server certificate; remove undoes both', async () => {
    const store = new SystemStore(layout, true, process.env);
    const added = await store.install(anchor);
    assert.deepEqual([added.trusted, added.changed], [true, true]);
    const file = path.join(layout.dir, `scanbridge-${anchor.sha256}.crt`);
    assert.equal(await readFile(file, 'utf8'), tls.authority.cert);
    assert.equal((await stat(file)).mode & 0o777, 0o644);
    assert.ok((await readFile(bundle, 'utf8')).includes(tls.authority.cert.trim()));
    assert.ok(await opensslTrusts());
    assert.equal((await store.status(anchor)).trusted, true);

    // A normal user cannot take it out, and is told how.
    const asUser = await new SystemStore(layout, false, process.env).remove(anchor);
    assert.deepEqual([asUser.trusted, asUser.changed, asUser.needsAdmin], [true, false, true]);
    assert.match(reportLine('remove', asUser, '/srv/sb'), /^still trusted system store .*: removing it needs an administrator: sudo scanbridge cert remove --home \/srv\/sb$/);

    const removed = await store.remove(anchor);
    assert.deepEqual([removed.trusted, removed.changed], [false, true]);
    await assert.rejects(stat(file));
    assert.ok(!(await readFile(bundle, 'utf8')).includes(tls.authority.cert.trim()));
    assert.equal(await opensslTrusts(), false);
    assert.deepEqual((await readdir(etc)).filter((f) => f.startsWith('scanbridge')), [], 'no link left behind');
    assert.ok((await readFile(bundle, 'utf8')).includes(distributionCa.trim()), 'the distribution CA stays');
    assert.deepEqual([(await store.remove(anchor)).changed, (await store.status(anchor)).trusted], [false, false]);
  });
});
