/**
 * The monitor's certificate keeper on a temporary user, read back with
 * certutil -L: every store at start; a Firefox profile added to a watched
 * root while it runs is trusted through fs.watch alone (rescan and full pass
 * set to an hour), so is one in a root made after the start (its parent is
 * watched), and an absolute folder made after its entry by the short rescan;
 * a profile a Firefox is starting with gets its database from Firefox only.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
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

  it('a root made after the start (a new user\'s first Firefox, XDG) through a watch on its parent alone', async () => {
    // A desktop makes ~/.config at the first login; Firefox makes mozilla/firefox in it.
    await mkdir(te.configHome, { recursive: true });
    const k = keeper(HOUR);
    try {
      await k.start();
      const xdg = path.join(te.configHome, 'mozilla', 'firefox');
      await mkdir(path.join(xdg, 'bbbb.default-release'), { recursive: true });
      await writeFile(path.join(xdg, 'profiles.ini'), '[Profile0]\nName=default-release\nIsRelative=1\nPath=bbbb.default-release\n');
      await until(async () => reports.some((r) => r.location === path.join(xdg, 'bbbb.default-release') && r.trusted), Boolean);
    } finally {
      await k.stop();
    }
    assert.deepEqual(failures, []);
  });

  it('an absolute profile folder made after its entry (no watch sees it) is found by the short rescan', async () => {
    const k = keeper(200);
    const late = path.join(root, 'made later', 'p');
    try {
      await k.start();
      await appendFile(path.join(te.configHome, 'mozilla', 'firefox', 'profiles.ini'), `\n[Profile1]\nName=late\nIsRelative=0\nPath=${late}\n`);
      // Let the watch's pass see the entry without a folder first.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await mkdir(late, { recursive: true });
      await until(async () => reports.some((r) => r.location === late && r.trusted), Boolean);
      assert.ok(await trusts(late));
    } finally {
      await k.stop();
    }
    assert.deepEqual(failures, []);
  });

  it('a profile a Firefox is starting with gets its database from Firefox, then the CA (its folder is watched meanwhile)', async () => {
    const legacy = path.join(te.userHome, '.mozilla', 'firefox');
    const starting = path.join(legacy, 'cccc.starting');
    await mkdir(starting, { recursive: true });
    // Firefox's profile lock: a symlink to "<address>:+<pid>" of a live process (this one stands in).
    await symlink(`127.0.0.1:+${process.pid}`, path.join(starting, 'lock'));
    await appendFile(path.join(legacy, 'profiles.ini'), '\n[Profile2]\nName=starting\nIsRelative=1\nPath=cccc.starting\n');
    const k = keeper(HOUR);
    try {
      await k.start();
      await assert.rejects(stat(path.join(starting, 'cert9.db')), 'no database made beside a starting Firefox');
      assert.ok(!reports.some((r) => r.location === starting), 'a starting Firefox is not a failure to report');
      // Firefox makes its database.
      await run('certutil', ['-N', '--empty-password', '-d', `sql:${starting}`]);
      await until(async () => reports.some((r) => r.location === starting && r.trusted), Boolean);
      assert.ok(await trusts(starting));
    } finally {
      await k.stop();
    }
    assert.deepEqual(failures, []);
  });
});
