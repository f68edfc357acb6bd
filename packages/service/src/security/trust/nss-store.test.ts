/**
 * NSS databases of a temporary user (never the real one's), read back with
 * certutil -L: Chromium's database is created, every Firefox profile (home,
 * snap, flatpak) gets the CA, remove takes out exactly ours, and a missing
 * certutil is a message naming the package.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
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

describe('NSS trust stores (Chromium and Firefox on Linux)', () => {
  let root: string;
  let userHome: string;
  let home: string;
  let te: TrustEnv;
  let profiles: string[];

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-nss-'));
    userHome = path.join(root, 'user');
    home = path.join(root, 'service');
    te = { platform: 'linux', userHome, env: process.env, admin: false, systemLayout: null };
    profiles = [
      path.join(userHome, '.mozilla', 'firefox', 'abcd1234.default-release'),
      path.join(userHome, 'snap', 'firefox', 'common', '.mozilla', 'firefox', 'snap0000.default'),
      path.join(userHome, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox', 'flat0000.default'),
    ];
    for (const p of profiles) await newDb(p);
    // A profile Firefox never started has no database: left alone, not created.
    await mkdir(path.join(userHome, '.mozilla', 'firefox', 'never.started'), { recursive: true });
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('install creates Chromium\'s database and adds the CA as a TLS issuer to it and every Firefox profile', async () => {
    const outcome = await installTrust(home, te, { system: false });
    const anchor = trustAnchor(outcome.authority);
    assert.equal(anchor.nickname, `scanbridge local CA ${outcome.authority.fingerprint.replaceAll(':', '').toLowerCase()}`);
    const nssdb = path.join(userHome, '.pki', 'nssdb');
    assert.deepEqual(
      outcome.stores.map((r) => [r.store, r.location, r.trusted, r.changed, r.problem]),
      [
        ['Chromium/Chrome (NSS)', nssdb, true, true, undefined],
        ['Firefox profile', profiles[0], true, true, undefined],
        ['Firefox profile', profiles[1], true, true, undefined],
        ['Firefox profile', profiles[2], true, true, undefined],
      ],
    );
    assert.equal((await stat(nssdb)).mode & 0o777, 0o700);
    for (const db of [nssdb, ...profiles]) assert.equal((await listing(db)).get(anchor.nickname), 'C,,', db);
    await assert.rejects(stat(path.join(userHome, '.mozilla', 'firefox', 'never.started', 'cert9.db')));
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
    assert.ok(status?.stores.length === 4 && status.stores.every((r) => r.trusted === true));
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
