/**
 * The real thing: Debian's Firefox ESR, driven through WebDriver BiDi, for a
 * temporary user (its own HOME and XDG_CONFIG_HOME). Firefox itself makes a
 * profile in each place it keeps them: a relative and an absolute one in the
 * XDG folder (a new user), one in ~/.mozilla/firefox (an existing user), and
 * one that Firefox has not started before `cert install` made its database. Each
 * shows SEC_ERROR_UNKNOWN_ISSUER for the service before `cert install`, the
 * VersionInfo JSON after it, and the error again after `cert remove`; the
 * machine's system store is untouched with --no-system. Then a new user's
 * first Firefox start while `scanbridge monitor --keep-trust` runs: the
 * profile it makes is trusted without running anything else.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { EXIT } from '../../cli/usage.js';
import { servicePaths } from '../../config/paths.js';
import { createProfile, Firefox, loadOnce, type FirefoxUser, type Loaded } from '../../test-support/firefox.js';
import { BIN, FREE_PORT_FLAGS, runCli, startChild, tempHome, waitForService, type ChildService } from '../../test-support/service-harness.js';
import { until } from '../../test-support/until.js';
import { VERSION_INFO } from '../../version.js';
import { readAuthority } from '../certificate.js';
import { parseListing } from './nss-store.js';
import { DEBIAN_LAYOUT, FEDORA_LAYOUT } from './system-store.js';
import { trustAnchor } from './trust-store.js';

const run = promisify(execFile);
const UNKNOWN_ISSUER = /SEC_ERROR_UNKNOWN_ISSUER/;

/** The one folder in `root` whose name ends with `.<name>`: where Firefox put the profile it made. */
async function profileIn(root: string, name: string): Promise<string> {
  const found = (await readdir(root)).filter((f) => f.endsWith(`.${name}`));
  assert.equal(found.length, 1, `${name} in ${root}: ${found.join(', ')}`);
  return path.join(root, found[0]!);
}

function errorOf(loaded: Loaded): string {
  return 'error' in loaded ? loaded.error : `opened: ${loaded.body}`;
}

/** Files for the service folder's CA in the machine's system store (Debian's or Fedora's local CA folder). */
async function systemStoreFiles(home: string): Promise<string[]> {
  const authority = await readAuthority(servicePaths(home).cert);
  const sha256 = new X509Certificate(authority!.cert).fingerprint256.replaceAll(':', '').toLowerCase();
  const files = [DEBIAN_LAYOUT, FEDORA_LAYOUT].map((l) => path.join(l.dir, `scanbridge-${sha256}.crt`));
  return (await Promise.all(files.map((f) => stat(f).then(() => f, () => null)))).filter((f): f is string => f !== null);
}

describe('Firefox ESR trusts the service after `cert install`, in a profile in each place Firefox keeps them', () => {
  let root: string;
  let user: FirefoxUser;
  let home: string;
  let svc: ChildService;
  let profiles: string[];
  const envelope = `{"id":"1","method":"VersionInfo","result":["${VERSION_INFO}","","64"],"cmdId":""}`;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-firefox-'));
    // A non-default XDG_CONFIG_HOME: the one the user set is the one that counts.
    user = { HOME: path.join(root, 'home'), XDG_CONFIG_HOME: path.join(root, 'xdg-config') };
    await mkdir(user.HOME);
    home = await tempHome();
    svc = await startChild(home);
    const xdgRoot = path.join(user.XDG_CONFIG_HOME, 'mozilla', 'firefox');
    const absolute = path.join(root, 'profiles elsewhere', 'work');
    // Without ~/.mozilla, Firefox makes a new user's profiles in the XDG folder.
    await createProfile(user, 'xdg');
    await createProfile(user, `work ${absolute}`);
    // An existing user's ~/.mozilla: Firefox keeps using it.
    await mkdir(path.join(user.HOME, '.mozilla', 'firefox'), { recursive: true });
    await createProfile(user, 'legacy');
    profiles = [await profileIn(xdgRoot, 'xdg'), absolute, await profileIn(path.join(user.HOME, '.mozilla', 'firefox'), 'legacy')];
    assert.match(await readFile(path.join(xdgRoot, 'profiles.ini'), 'utf8'), new RegExp(`IsRelative=0\\nPath=${absolute}\\n`));
  });
  after(async () => {
    await svc?.stop();
    await rm(root, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it('certificate error, the VersionInfo JSON after `cert install --no-system` (system store untouched), the error after `cert remove`', async () => {
    const url = `https://127.0.0.1:${svc.ports.https}/fa/VersionInfo`;
    const before = await runCli(['cert', 'status', '--home', home], user);
    assert.equal(before.code, EXIT.failure);
    for (const p of profiles) assert.match(before.stdout, new RegExp(`^not trusted\\s+Firefox profile ${p}$`, 'm'));

    // A Firefox that met the service's certificate before keeps it (with its trust) in memory: each
    // check is a new start, the profiles' Firefoxes side by side.
    const loadEach = (u: string) => Promise.all(profiles.map((p) => loadOnce(user, p, u)));
    for (const [i, loaded] of (await loadEach(url)).entries()) assert.match(errorOf(loaded), UNKNOWN_ISSUER, profiles[i]);

    // A profile made now and never started: `cert install` makes its database, Firefox's first start uses it.
    await createProfile(user, 'never-started');
    profiles.push(await profileIn(path.join(user.HOME, '.mozilla', 'firefox'), 'never-started'));
    await assert.rejects(stat(path.join(profiles.at(-1)!, 'cert9.db')));

    const installed = await runCli(['cert', 'install', '--no-system', '--home', home], user);
    assert.equal(installed.code, EXIT.ok, installed.stdout + installed.stderr);
    for (const p of profiles) assert.match(installed.stdout, new RegExp(`^trusted\\s+Firefox profile ${p}$`, 'm'));
    assert.doesNotMatch(installed.stdout, /system store|no Firefox profile/);
    assert.deepEqual(await systemStoreFiles(home), []);
    for (const [i, loaded] of (await loadEach(url)).entries()) assert.deepEqual(loaded, { body: envelope }, profiles[i]);
    const status = await runCli(['cert', 'status', '--home', home], user);
    for (const p of profiles) assert.match(status.stdout, new RegExp(`^trusted\\s+Firefox profile ${p}$`, 'm'));

    const removed = await runCli(['cert', 'remove', '--no-system', '--home', home], user);
    assert.equal(removed.code, EXIT.ok, removed.stdout + removed.stderr);
    for (const p of profiles) assert.match(removed.stdout, new RegExp(`^removed from Firefox profile ${p}$`, 'm'));
    for (const [i, loaded] of (await loadEach(url)).entries()) assert.match(errorOf(loaded), UNKNOWN_ISSUER, profiles[i]);
  });

  it('a new user\'s first Firefox start while `scanbridge monitor --keep-trust` runs: its profile is trusted without a restart', async (t) => {
    await svc.stop();
    // A user who never started Firefox: no profile folder at all yet (~/.config is there from the desktop's first login).
    const newUser = { HOME: path.join(root, 'new-user'), XDG_CONFIG_HOME: path.join(root, 'new-user', '.config') };
    await mkdir(newUser.XDG_CONFIG_HOME, { recursive: true });
    const noSane = await mkdtemp(path.join(tmpdir(), 'sb-no-sane-'));
    const flags = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);
    const monitor = spawn(process.execPath, [BIN, 'monitor', '--home', home, '--quiet', '--keep-trust', ...flags], {
      env: { ...process.env, ...newUser, SCANBRIDGE_HOME: '', SANE_CONFIG_DIR: noSane },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let log = '';
    monitor.stderr!.on('data', (d) => (log += d));
    const exited = new Promise((resolve) => monitor.once('exit', resolve));
    let firefox: Firefox | undefined;
    try {
      const up = await waitForService(home);
      // The keeper's first pass is done once it trusted Chromium's database of the new user.
      await until(async () => /trusted the certificate in Chromium\/Chrome \(NSS\)/.test(log), Boolean);
      const started = Date.now();
      // Started from the menu: Firefox makes the user's profiles in ~/.config/mozilla/firefox itself.
      firefox = await Firefox.launch(newUser);
      const url = `https://127.0.0.1:${up.ports.https}/fa/VersionInfo`;
      const xdgRoot = path.join(newUser.XDG_CONFIG_HOME, 'mozilla', 'firefox');
      const anchor = trustAnchor((await readAuthority(servicePaths(home).cert))!);
      // The profile this Firefox uses: its install's Default in installs.ini (default-esr for ESR, default-release otherwise).
      const installs = () => readFile(path.join(xdgRoot, 'installs.ini'), 'utf8').catch(() => '');
      const profile = path.join(xdgRoot, /^Default=(.+)$/m.exec(await until(installs, (text) => /^Default=/m.test(text)))![1]!);
      const trusted = async () => parseListing(await run('certutil', ['-L', '-d', `sql:${profile}`]).then((r) => r.stdout, () => '')).get(anchor.nickname) === 'C,,';
      await until(trusted, Boolean, 200);
      // Firefox makes the database itself at its start (the keeper waits for it): the keeper's share is the time since.
      const db = await stat(path.join(profile, 'cert9.db'));
      const made = db.birthtimeMs || db.ctimeMs;
      t.diagnostic(`profile trusted ${Date.now() - started} ms after Firefox was started, ${Math.round(Date.now() - made)} ms after Firefox made its cert9.db (polled every 200 ms)`);
      assert.deepEqual(await firefox.load(url), { body: envelope });
      assert.match(log, new RegExp(`trusted the certificate in Firefox profile \\(${profile}\\)`));
    } finally {
      await firefox?.close();
      monitor.kill('SIGTERM');
      await exited;
      await rm(noSane, { recursive: true, force: true });
    }
    assert.deepEqual(await systemStoreFiles(home), [], 'the monitor never touches the system store');
  });
});
