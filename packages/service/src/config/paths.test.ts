import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { ensureServiceFolder, resolveHome, servicePaths } from './paths.js';

describe('resolveHome', () => {
  test('linux uses XDG_DATA_HOME', () => {
    const home = resolveHome({ platform: 'linux', homedir: '/home/u', env: { XDG_DATA_HOME: '/data/u' } });
    assert.equal(home, '/data/u/scanbridge');
  });

  test('linux falls back to ~/.local/share without XDG_DATA_HOME, or with a relative one', () => {
    assert.equal(resolveHome({ platform: 'linux', homedir: '/home/u', env: {} }), '/home/u/.local/share/scanbridge');
    assert.equal(
      resolveHome({ platform: 'linux', homedir: '/home/u', env: { XDG_DATA_HOME: 'relative/data' } }),
      '/home/u/.local/share/scanbridge',
    );
  });

  test('macOS uses ~/Library/Application Support', () => {
    assert.equal(
      resolveHome({ platform: 'darwin', homedir: '/Users/u', env: { XDG_DATA_HOME: '/ignored' } }),
      '/Users/u/Library/Application Support/scanbridge',
    );
  });

  test('windows uses LOCALAPPDATA, else ~/AppData/Local', () => {
    assert.equal(
      resolveHome({ platform: 'win32', homedir: 'C:\\Users\\u', env: { LOCALAPPDATA: 'D:\\Local' } }),
      'D:\\Local\\scanbridge',
    );
    assert.equal(resolveHome({ platform: 'win32', homedir: 'C:\\Users\\u', env: {} }), 'C:\\Users\\u\\AppData\\Local\\scanbridge');
  });

  test('SCANBRIDGE_HOME overrides the per-user folder', () => {
    const env = { SCANBRIDGE_HOME: '/srv/scanbridge', XDG_DATA_HOME: '/data/u' };
    assert.equal(resolveHome({ platform: 'linux', homedir: '/home/u', env }), '/srv/scanbridge');
    assert.equal(resolveHome({ platform: 'win32', homedir: 'C:\\Users\\u', env: { SCANBRIDGE_HOME: 'E:\\sb' } }), 'E:\\sb');
  });

  test('--home wins over SCANBRIDGE_HOME', () => {
    const env = { SCANBRIDGE_HOME: '/srv/scanbridge' };
    assert.equal(resolveHome({ flag: '/opt/sb', platform: 'linux', homedir: '/home/u', env }), '/opt/sb');
  });

  test('empty overrides count as unset', () => {
    const env = { SCANBRIDGE_HOME: '', XDG_DATA_HOME: '' };
    assert.equal(resolveHome({ flag: '', platform: 'linux', homedir: '/home/u', env }), '/home/u/.local/share/scanbridge');
  });

  test('a relative --home is made absolute', () => {
    assert.equal(resolveHome({ flag: 'sb-home', platform: process.platform, env: {} }), path.resolve('sb-home'));
  });
});

describe('servicePaths', () => {
  const home = path.join(path.sep, 'h');

  test('lays out the service folder', () => {
    assert.deepEqual(servicePaths(home), {
      home,
      cache: path.join(home, 'cache'),
      cert: path.join(home, 'cert'),
      dump: path.join(home, 'dump'),
      log: path.join(home, 'log'),
      upload: path.join(home, 'upload'),
      serviceIni: path.join(home, 'scanbridge.ini'),
      userIni: path.join(home, 'user.ini'),
      portLock: path.join(home, 'port.lock'),
      ocr: path.join(home, 'ocr'),
    });
  });

  test('CacheDir overrides the cache folder; empty keeps the default', () => {
    const elsewhere = path.join(path.sep, 'fast', 'cache');
    assert.equal(servicePaths(home, elsewhere).cache, elsewhere);
    assert.equal(servicePaths(home, '').cache, path.join(home, 'cache'));
  });
});

describe('ensureServiceFolder', () => {
  const temps: string[] = [];
  after(async () => {
    for (const dir of temps) await rm(dir, { recursive: true, force: true });
  });

  test('creates every folder, private to the user', async () => {
    const temp = await mkdtemp(path.join(os.tmpdir(), 'scanbridge-paths-'));
    temps.push(temp);
    const paths = servicePaths(path.join(temp, 'nested', 'home'));
    await ensureServiceFolder(paths);
    await ensureServiceFolder(paths); // a second start finds them in place
    for (const dir of [paths.home, paths.cache, paths.cert, paths.dump, paths.log, paths.upload]) {
      const info = await stat(dir);
      assert.ok(info.isDirectory(), dir);
      if (process.platform !== 'win32') assert.equal(info.mode & 0o777, 0o700, dir);
    }
  });
});
