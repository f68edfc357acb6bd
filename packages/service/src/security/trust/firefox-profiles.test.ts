/**
 * Finding Firefox profiles as Firefox does, on a temporary user: profiles.ini
 * of every root (XDG first), relative and absolute Path, installs.ini's
 * default, Windows line ends, and each profile once when roots overlap.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { firefoxProfiles, firefoxRoots, parseMozIni } from './firefox-profiles.js';

describe('Firefox profiles', () => {
  let root: string;
  let userHome: string;
  let configHome: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sb-ffprofiles-'));
    userHome = path.join(root, 'user');
    configHome = path.join(userHome, '.config');
  });
  after(() => rm(root, { recursive: true, force: true }));

  it('roots: XDG config first, then legacy, snap and flatpak in both forms', () => {
    assert.deepEqual(firefoxRoots('/home/ann', '/home/ann/.config'), [
      '/home/ann/.config/mozilla/firefox',
      '/home/ann/.mozilla/firefox',
      '/home/ann/snap/firefox/common/.mozilla/firefox',
      '/home/ann/snap/firefox/common/.config/mozilla/firefox',
      '/home/ann/.var/app/org.mozilla.firefox/.mozilla/firefox',
      '/home/ann/.var/app/org.mozilla.firefox/config/mozilla/firefox',
    ]);
  });

  it('reads Mozilla ini files: sections, CRLF, a byte order mark, comments, "=" inside values', () => {
    const ini = parseMozIni('\uFEFF# comment\r\n[Profile0]\r\nName=a=b\r\nPath = x.default \r\n\r\n[General]\r\nVersion=2\r\n');
    assert.deepEqual([...ini.keys()], ['Profile0', 'General']);
    assert.deepEqual([...ini.get('Profile0')!], [['Name', 'a=b'], ['Path', 'x.default']]);
  });

  it('relative and absolute paths, installs.ini defaults, missing folders skipped, a symlinked root counted once', async () => {
    const xdg = path.join(configHome, 'mozilla', 'firefox');
    const legacy = path.join(userHome, '.mozilla', 'firefox');
    const absolute = path.join(root, 'my profiles', 'work');
    for (const dir of [path.join(xdg, 'aaaa.default-release'), path.join(xdg, 'cccc.only-install'), absolute, path.join(legacy, 'bbbb.default')]) await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(xdg, 'profiles.ini'),
      '[Profile1]\r\nName=work\r\nIsRelative=0\r\nPath=' + absolute + '\r\n\r\n[Profile0]\r\nName=default-release\r\nIsRelative=1\r\nPath=aaaa.default-release\r\nDefault=1\r\n\r\n' +
        '[Profile2]\r\nName=gone\r\nIsRelative=1\r\nPath=gone.deleted\r\n\r\n[Install4F96D1932A9F858E]\r\nDefault=aaaa.default-release\r\nLocked=1\r\n\r\n[General]\r\nStartWithLastProfile=1\r\nVersion=2\r\n',
    );
    await writeFile(path.join(xdg, 'installs.ini'), '[4F96D1932A9F858E]\nDefault=cccc.only-install\nLocked=1\n');
    await writeFile(path.join(legacy, 'profiles.ini'), '[Profile0]\nName=default\nIsRelative=1\nPath=bbbb.default\n');
    // The snap's root is a link to the legacy one: its profiles are not listed twice.
    await mkdir(path.join(userHome, 'snap', 'firefox', 'common', '.mozilla'), { recursive: true });
    await symlink(legacy, path.join(userHome, 'snap', 'firefox', 'common', '.mozilla', 'firefox'));
    const found = await firefoxProfiles(userHome, configHome);
    assert.deepEqual(
      found.map((p) => [p.name, p.dir, p.root]),
      [
        ['work', absolute, xdg],
        ['default-release', path.join(xdg, 'aaaa.default-release'), xdg],
        ['cccc.only-install', path.join(xdg, 'cccc.only-install'), xdg],
        ['default', path.join(legacy, 'bbbb.default'), legacy],
      ],
    );
  });
});
