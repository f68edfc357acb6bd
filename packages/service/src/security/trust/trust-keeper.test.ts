/**
 * The monitor's certificate keeper on a temporary user, read back with
 * certutil -L: every store at start; a Firefox profile added to a watched
 * root while it runs is trusted through fs.watch alone (rescan and full pass
 * set to an hour), one in a root made after the start by the short rescan.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { readAuthority } from '../certificate.js';
import { servicePaths } from '../../config/paths.js';
import { until } from '../../test-support/until.js';
import { parseListing } from './nss-store.js';
import type { TrustEnv } from './stores.js';
import { TrustKeeper } from './trust-keeper.js';
import { trustAnchor, type StoreReport } from './trust-store.js';

const run = promisify(execFile);
const HOUR = 3600 * 1000;

describe('certificate keeper of the monitor', () => {
  let root: string;
  let te: TrustEnv;
  let home: string;
  const reports: StoreReport[] = [];
  const failures: Error[] = [];

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-keeper-'));
    const userHome = path.join(root, 'user');
    home = path.join(root, 'service');
    te = { platform: 'linux', userHome, configHome: path.join(userHome, '.config'), env: process.env, admin: false, systemLayout: null };
  });
  after(() => rm(root, { recursive: true, force: true }));

  /** Whether the profile's database lists our CA as a TLS issuer (false while it has none). */
  async function trusts(dir: string): Promise<boolean> {
    const authority = await readAuthority(servicePaths(home).cert);
    const listing = await run('certutil', ['-L', '-d', `sql:${dir}`]).then((r) => r.stdout, () => '');
    return authority !== null && parseListing(listing).get(trustAnchor(authority).nickname) === 'C,,';
  }

  function keeper(rescanMs: number): TrustKeeper {
    return new TrustKeeper({ home, trustEnv: () => te, report: (r) => reports.push(r), failed: (e) => failures.push(e), timing: { rescanMs, fullPassMs: HOUR } });
  }

  it('trusts at start, then a profile added to a watched root through fs.watch alone', async () => {
    const legacy = path.join(te.userHome, '.mozilla', 'firefox');
    await mkdir(path.join(legacy, 'aaaa.default'), { recursive: true });
    await writeFile(path.join(legacy, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=aaaa.default\n');
    const k = keeper(HOUR);
    try {
      await k.start();
      assert.ok(await trusts(path.join(legacy, 'aaaa.default')));
      assert.ok(await trusts(path.join(te.userHome, '.pki', 'nssdb')));
      // What the profile manager does: the folder, then its entry.
      const absolute = path.join(root, 'profiles elsewhere', 'work');
      await mkdir(absolute, { recursive: true });
      await appendFile(path.join(legacy, 'profiles.ini'), `\n[Profile1]\nName=work\nIsRelative=0\nPath=${absolute}\n`);
      // The keeper reports a store once it has read the trust back.
      await until(async () => reports.some((r) => r.location === absolute && r.trusted && r.changed), Boolean);
      assert.ok(await trusts(absolute));
    } finally {
      await k.stop();
    }
    assert.deepEqual(failures, []);
  });

  it('a root made after the start (a new user\'s first Firefox, XDG) is found by the short rescan', async () => {
    const k = keeper(200);
    try {
      await k.start();
      const xdg = path.join(te.configHome, 'mozilla', 'firefox');
      await mkdir(path.join(xdg, 'bbbb.default-release'), { recursive: true });
      await writeFile(path.join(xdg, 'profiles.ini'), '[Profile0]\nName=default-release\nIsRelative=1\nPath=bbbb.default-release\n');
      await until(() => trusts(path.join(xdg, 'bbbb.default-release')), Boolean);
    } finally {
      await k.stop();
    }
    assert.deepEqual(failures, []);
  });
});
