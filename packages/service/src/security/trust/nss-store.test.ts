/**
 * NSS databases of a temporary user (never the real one's), read back with
 * certutil -L: Chromium's database is created, every Firefox profile named by
 * a profiles.ini (XDG, legacy, snap, flatpak; relative and absolute paths)
 * gets the CA, remove takes out exactly ours, and a missing
 * certutil is a message naming the package.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { certCommand, report } from '../../cli/cert.js';
import { installTrust, removeTrust, trustStatus } from './service-ca-trust.js';
import { EXIT } from '../../cli/usage.js';
import { loadOrCreateCertificate } from '../certificate.js';
import { parseListing } from './nss-store.js';
import type { TrustEnv } from './stores.js';
import { trustAnchor } from './trust-store.js';

const run = promisify(execFile);

async function listing(dir: string): Promise<Map<string, string>> {
  return parseListing((await run('certutil', ['-L', '-d', `sql:${dir}`])).stdout);
}

async function newDb(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await run('certutil', ['-N', '--empty-password', '-d', `sql:${dir}`]);
}

/** Captures console.log and console.error while `fn` runs. */
async function captured(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const { log, error } = console;
  console.log = console.error = (...args: unknown[]) => void lines.push(args.join(' '));
  try {
    return { code: await fn(), out: lines.join('\n') };
  } finally {
    Object.assign(console, { log, error });
  }
}

/** A profiles.ini as Firefox writes it: [ProfileN] with Name, IsRelative and Path. */
async function profilesIni(root: string, profiles: { name: string; path: string; relative: boolean }[]): Promise<void> {
  await mkdir(root, { recursive: true });
  const sections = profiles.map((p, i) => `[Profile${i}]\nName=${p.name}\nIsRelative=${p.relative ? 1 : 0}\nPath=${p.path}\n`);
  await writeFile(path.join(root, 'profiles.ini'), `${sections.join('\n')}\n[General]\nStartWithLastProfile=1\nVersion=2\n`);
}

describe('NSS trust stores (Chromium and Firefox on Linux)', () => {
  let root: string;
  let userHome: string;
  let home: string;
  let te: TrustEnv;
  let profiles: string[];
  let notStarted: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-nss-'));
    userHome = path.join(root, 'user');
    home = path.join(root, 'service');
    // A custom $XDG_CONFIG_HOME: a current Firefox keeps a new user's profiles in <it>/mozilla/firefox.
    const configHome = path.join(root, 'xdg-config');
    te = { platform: 'linux', userHome, configHome, env: process.env, admin: false, systemLayout: null };
    const xdgRoot = path.join(configHome, 'mozilla', 'firefox');
    const legacyRoot = path.join(userHome, '.mozilla', 'firefox');
    const snapRoot = path.join(userHome, 'snap', 'firefox', 'common', '.mozilla', 'firefox');
    const flatpakRoot = path.join(userHome, '.var', 'app', 'org.mozilla.firefox', 'config', 'mozilla', 'firefox');
    const absolute = path.join(root, 'elsewhere', 'work profile');
    notStarted = path.join(xdgRoot, 'new00000.never-started');
    profiles = [
      path.join(xdgRoot, 'xdg00000.default-release'),
      absolute,
      path.join(legacyRoot, 'abcd1234.default-release'),
      path.join(snapRoot, 'snap0000.default'),
      path.join(flatpakRoot, 'flat0000.default'),
    ];
    await profilesIni(xdgRoot, [
      { name: 'default-release', path: 'xdg00000.default-release', relative: true },
      { name: 'work', path: absolute, relative: false },
      { name: 'never-started', path: 'new00000.never-started', relative: true },
      { name: 'deleted', path: 'gone0000.deleted', relative: true },
    ]);
    await profilesIni(legacyRoot, [{ name: 'default-release', path: 'abcd1234.default-release', relative: true }]);
    await profilesIni(snapRoot, [{ name: 'default', path: 'snap0000.default', relative: true }]);
    await profilesIni(flatpakRoot, [{ name: 'default', path: 'flat0000.default', relative: true }]);
    for (const p of profiles) await newDb(p);
    // Firefox made the folder but has not started with it yet: it gets a database, so its first start trusts.
    await mkdir(notStarted, { recursive: true });
    // A folder with a database that no profiles.ini names is not a profile Firefox opens: left alone.
    await newDb(path.join(legacyRoot, 'stray.folder'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('install creates Chromium\'s database and adds the CA as a TLS issuer to it and every profile each profiles.ini names', async () => {
    const outcome = await installTrust(home, te, { system: false });
    const anchor = trustAnchor(outcome.authority);
    assert.equal(anchor.nickname, `scanbridge local CA ${outcome.authority.fingerprint.replaceAll(':', '').toLowerCase()}`);
    const nssdb = path.join(userHome, '.pki', 'nssdb');
    const firefox = [profiles[0], profiles[1], notStarted, ...profiles.slice(2)];
    assert.deepEqual(
      outcome.stores.map((r) => [r.store, r.location, r.trusted, r.changed, r.problem]),
      [['Chromium/Chrome (NSS)', nssdb, true, true, undefined], ...firefox.map((p) => ['Firefox profile', p, true, true, undefined])],
    );
    assert.equal((await stat(nssdb)).mode & 0o777, 0o700);
    for (const db of [nssdb, notStarted, ...profiles]) assert.equal((await listing(db)).get(anchor.nickname), 'C,,', db);
    assert.equal((await listing(path.join(userHome, '.mozilla', 'firefox', 'stray.folder'))).has(anchor.nickname), false);
    await assert.rejects(stat(path.join(te.configHome, 'mozilla', 'firefox', 'gone0000.deleted')), 'a profile whose folder is gone is not made');
    profiles.push(notStarted);
    // Again: nothing changes, everything still trusted.
    const again = await installTrust(home, te, { system: false });
    assert.ok(again.stores.every((r) => r.trusted === true && !r.changed));
    assert.ok(!report('install', again, home, te).some((l) => /restart/.test(l)));
  });

  it('status says where it is trusted; remove takes out exactly ours and leaves another CA', async () => {
    const other = await loadOrCreateCertificate(path.join(root, 'other-service', 'cert'));
    const otherAnchor = trustAnchor(other.authority);
    await run('certutil', ['-A', '-d', `sql:${profiles[0]}`, '-n', otherAnchor.nickname, '-t', 'C,,', '-i', otherAnchor.file]);
    const status = await trustStatus(home, te);
    assert.ok(status?.stores.length === 7 && status.stores.every((r) => r.trusted === true));
    const { code, out } = await captured(() => certCommand(home, {}, ['status'], te));
    assert.equal(code, EXIT.ok);
    assert.match(out, new RegExp(`^trusted\\s+Firefox profile ${profiles[1]!.replaceAll('.', '\\.')}$`, 'm'));

    const removed = await removeTrust(home, te);
    const anchor = trustAnchor(removed!.authority);
    assert.ok(removed!.stores.every((r) => r.trusted === false && r.changed && !r.problem));
    for (const db of [path.join(userHome, '.pki', 'nssdb'), ...profiles]) assert.equal((await listing(db)).has(anchor.nickname), false, db);
    assert.equal((await listing(profiles[0]!)).get(otherAnchor.nickname), 'C,,', 'the other CA stays');
    const after = await captured(() => certCommand(home, {}, ['status'], te));
    assert.equal(after.code, EXIT.failure);
    assert.match(after.out, /^not trusted\s+Chromium\/Chrome \(NSS\) /m);
    const twice = await removeTrust(home, te);
    assert.ok(twice!.stores.every((r) => !r.changed && r.trusted === false));
  });

  it('as root, --no-system leaves the system store alone; without it install and remove change it', async () => {
    const systemDir = path.join(root, 'system-anchors');
    await mkdir(systemDir, { recursive: true });
    // `true` stands in for update-ca-certificates: the real one is tested on temporary folders in system-store.test.ts.
    const asRoot: TrustEnv = { ...te, admin: true, systemLayout: { dir: systemDir, refresh: ['true'], refreshAfterRemove: ['true'] } };
    for (const action of ['install', 'status', 'remove']) {
      const { code, out } = await captured(() => certCommand(home, { 'no-system': true }, [action], asRoot));
      assert.equal(code, EXIT.ok, out);
      assert.doesNotMatch(out, /system store/, action);
      assert.deepEqual(await readdir(systemDir), [], action);
    }
    const installed = await captured(() => certCommand(home, {}, ['install'], asRoot));
    assert.match(installed.out, new RegExp(`^trusted\\s+system store ${systemDir}$`, 'm'));
    assert.equal((await readdir(systemDir)).length, 1);
    // remove --no-system keeps it there; remove takes it out.
    await captured(() => certCommand(home, { 'no-system': true }, ['remove'], asRoot));
    assert.equal((await readdir(systemDir)).length, 1);
    await captured(() => certCommand(home, {}, ['remove'], asRoot));
    assert.deepEqual(await readdir(systemDir), []);
  });

  it('without certutil: a message naming libnss3-tools and exit code 1, no crash', async () => {
    const emptyPath = path.join(root, 'empty-path');
    await mkdir(emptyPath, { recursive: true });
    const noTools = { ...te, env: { ...process.env, PATH: emptyPath } };
    const { code, out } = await captured(() => certCommand(home, {}, ['install'], noTools));
    assert.equal(code, EXIT.failure);
    assert.match(out, /^failed\s+Chromium\/Chrome \(NSS\) .*: certutil is not installed: .*Debian\/Ubuntu package libnss3-tools \(`sudo apt-get install libnss3-tools`\)/m);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
    const status = await captured(() => certCommand(home, { json: true }, ['status'], noTools));
    assert.equal(status.code, EXIT.failure);
    const json = JSON.parse(status.out) as { stores: { trusted: boolean | null; problem?: string }[] };
    assert.ok(json.stores.every((s) => s.trusted === null && /libnss3-tools/.test(s.problem ?? '')));
  });

  it('parses certutil listings whose nicknames hold spaces and commas', () => {
    const text = '\nCertificate Nickname                                         Trust Attributes\n                                                             SSL,S/MIME,JAR/XPI\n\nscanbridge local CA 0123abcd                                  C,,  \nAcme, Inc. root                                              CT,C,C\nmy peer                                                      P,,\n';
    assert.deepEqual([...parseListing(text)], [
      ['scanbridge local CA 0123abcd', 'C,,'],
      ['Acme, Inc. root', 'CT,C,C'],
      ['my peer', 'P,,'],
    ]);
  });
});
