import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseArgs } from 'node:util';
import { parseIni } from './ini.js';
import { defaultIniText, flagSpecs, loadConfig, resolveSettings, settingsMarkdown, userIniText } from './load.js';
import { defaultSettings, SETTING_KEYS, SETTINGS } from './settings.js';

const temps: string[] = [];
after(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});

async function tempHome(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'scanbridge-config-'));
  temps.push(dir);
  return path.join(dir, 'home');
}

const file = '/h/scanbridge.ini';

describe('precedence', () => {
  test('defaults < scanbridge.ini < environment < flags', () => {
    const ini = { file, text: 'HttpPort = 1001\nHttpsPort = 1002\nWelcomeHttpPort = 1003\n' };
    const env = { SCANBRIDGE_HTTPS_PORT: '2002', SCANBRIDGE_WELCOME_HTTP_PORT: '2003' };
    const flags = { 'welcome-http-port': '3003' };
    const { settings, sources } = resolveSettings({ ini, env, flags });
    assert.equal(settings.httpPort, 1001);
    assert.equal(settings.httpsPort, 2002);
    assert.equal(settings.welcomeHttpPort, 3003);
    assert.equal(settings.welcomeHttpsPort, 18626);
    assert.equal(sources.HttpPort, 'ini');
    assert.equal(sources.HttpsPort, 'env');
    assert.equal(sources.WelcomeHttpPort, 'flag');
    assert.equal(sources.WelcomeHttpsPort, 'default');
  });

  test('no layers give the defaults, every source "default"', () => {
    const { settings, sources } = resolveSettings({});
    assert.deepEqual(settings, defaultSettings());
    assert.deepEqual(Object.keys(sources).sort(), [...SETTING_KEYS].sort());
    assert.ok(Object.values(sources).every((s) => s === 'default'));
  });

  test('an empty environment variable is a value: it clears AllowedOrigins set in the ini', () => {
    const ini = { file, text: 'AllowedOrigins = https://a.example.com' };
    assert.deepEqual(resolveSettings({ ini }).settings.allowedOrigins, ['https://a.example.com']);
    assert.deepEqual(resolveSettings({ ini, env: { SCANBRIDGE_ALLOWED_ORIGINS: '' } }).settings.allowedOrigins, []);
  });

  test('unrelated environment variables and flags are ignored', () => {
    const { sources } = resolveSettings({ env: { SCANBRIDGE_HOME: '/x', PATH: '/bin' }, flags: { home: '/x', quiet: true } });
    assert.ok(Object.values(sources).every((s) => s === 'default'));
  });
});

describe('environment and flag errors', () => {
  test('a bad environment value names the variable and the key', () => {
    assert.throws(() => resolveSettings({ env: { SCANBRIDGE_HTTP_PORT: 'abc' } }), {
      name: 'ConfigError',
      message: 'environment variable SCANBRIDGE_HTTP_PORT: bad value for HttpPort: "abc" is not a port (expected an integer 0..65535)',
      variable: 'SCANBRIDGE_HTTP_PORT',
      key: 'HttpPort',
      file: undefined,
      line: undefined,
    });
  });

  test('a bad flag value names the flag and the key', () => {
    assert.throws(() => resolveSettings({ flags: { 'demo-scanner': 'perhaps' } }), {
      message: 'flag --demo-scanner: bad value for DemoScanner: "perhaps" is not a boolean (expected true, false, yes, no, on, off, 1 or 0)',
      flag: 'demo-scanner',
      key: 'DemoScanner',
    });
  });

  test('boolean flag values fit boolean settings only', () => {
    assert.equal(resolveSettings({ flags: { 'demo-scanner': false } }).settings.demoScanner, false);
    assert.throws(() => resolveSettings({ flags: { 'http-port': true } }), {
      message: 'flag --http-port: HttpPort needs a value (expected an integer 0..65535)',
    });
  });

  test('two listeners on one port are an error blaming the later layer', () => {
    assert.throws(() => resolveSettings({ ini: { file, text: '\nHttpsPort = 18622' } }), {
      message: `${file}:2: HttpsPort is 18622, the same port as HttpPort (its default); each listener needs its own port (0 picks any free port)`,
      line: 2,
      key: 'HttpsPort',
    });
    assert.throws(() => resolveSettings({ ini: { file, text: 'WelcomeHttpsPort = 9000' }, flags: { 'http-port': '9000' } }), {
      message: `flag --http-port: HttpPort is 9000, the same port as WelcomeHttpsPort (set by ${file}:1); each listener needs its own port (0 picks any free port)`,
    });
    const anyPort = resolveSettings({ env: { SCANBRIDGE_HTTP_PORT: '0', SCANBRIDGE_HTTPS_PORT: '0' } }).settings;
    assert.equal(anyPort.httpPort + anyPort.httpsPort, 0);
  });
});

describe('loadConfig', () => {
  test('first start writes a commented default scanbridge.ini and a user.ini, and creates the folders', async () => {
    const home = await tempHome();
    const config = await loadConfig({ home, flags: {}, env: {} });
    assert.deepEqual(config.settings, defaultSettings());
    assert.deepEqual(config.created, [config.paths.serviceIni, config.paths.userIni]);
    assert.equal(await readFile(config.paths.serviceIni, 'utf8'), defaultIniText());
    assert.equal(await readFile(config.paths.userIni, 'utf8'), userIniText());
    for (const dir of [config.paths.home, config.paths.cache, config.paths.cert, config.paths.dump, config.paths.log, config.paths.upload]) {
      assert.ok((await stat(dir)).isDirectory(), dir);
    }
    const again = await loadConfig({ home, flags: {}, env: {} });
    assert.deepEqual(again.created, []);
  });

  test('reads an existing scanbridge.ini, then the environment and flags', async () => {
    const home = await tempHome();
    await loadConfig({ home, flags: {}, env: {} });
    const iniPath = path.join(home, 'scanbridge.ini');
    await writeFile(iniPath, '[scanbridge]\nLogLevel = debug\nMaxBodyMB = 8\nDemoFeederSheets = 3\n');
    const config = await loadConfig({
      home,
      flags: { 'demo-feeder-sheets': '7' },
      env: { SCANBRIDGE_MAX_BODY_MB: '16' },
    });
    assert.equal(config.settings.logLevel, 'debug');
    assert.equal(config.settings.maxBodyBytes, 16 * 1024 * 1024);
    assert.equal(config.settings.demoFeederSheets, 7);
    assert.deepEqual(
      [config.sources.LogLevel, config.sources.MaxBodyMB, config.sources.DemoFeederSheets, config.sources.HttpPort],
      ['ini', 'env', 'flag', 'default'],
    );
  });

  test('errors in scanbridge.ini name its path and line', async () => {
    const home = await tempHome();
    await loadConfig({ home, flags: {}, env: {} });
    const iniPath = path.join(home, 'scanbridge.ini');
    await writeFile(iniPath, '; mine\nHttpPort = abc\n');
    await assert.rejects(loadConfig({ home, flags: {}, env: {} }), {
      message: `${iniPath}:2: bad value for HttpPort: "abc" is not a port (expected an integer 0..65535)`,
      file: iniPath,
      line: 2,
      key: 'HttpPort',
    });
  });

  test('any key in user.ini is an unknown key', async () => {
    const home = await tempHome();
    await loadConfig({ home, flags: {}, env: {} });
    const userIni = path.join(home, 'user.ini');
    await writeFile(userIni, userIniText() + 'ApprovedOrigins = https://a.com\n');
    const line = userIniText().split('\n').length;
    await assert.rejects(loadConfig({ home, flags: {}, env: {} }), {
      message: `${userIni}:${line}: unknown key "ApprovedOrigins" (this file defines no keys)`,
    });
  });

  test('CacheDir moves the cache folder', async () => {
    const home = await tempHome();
    const cache = path.join(path.dirname(home), 'elsewhere', 'cache');
    const config = await loadConfig({ home, flags: { 'cache-dir': cache }, env: {} });
    assert.equal(config.paths.cache, cache);
    assert.ok((await stat(cache)).isDirectory());
  });
});

describe('generated texts', () => {
  test('the default ini parses to exactly the defaults, commented out or not', () => {
    const text = defaultIniText();
    const commented = resolveSettings({ ini: { file, text } });
    assert.deepEqual(commented.settings, defaultSettings());
    assert.ok(Object.values(commented.sources).every((s) => s === 'default'));

    const uncommented = text.replace(/^; ([A-Za-z]+ =.*)$/gm, '$1');
    const entries = parseIni(uncommented, { file, keys: SETTING_KEYS });
    assert.deepEqual(entries.map((e) => e.key), [...SETTING_KEYS]);
    const active = resolveSettings({ ini: { file, text: uncommented } });
    assert.deepEqual(active.settings, defaultSettings());
    assert.ok(Object.values(active.sources).every((s) => s === 'ini'));
  });

  test('the default ini documents every setting', () => {
    const text = defaultIniText();
    for (const spec of SETTINGS) {
      for (const part of [spec.description, spec.env, `--${spec.flag}`, spec.type.expected]) assert.ok(text.includes(part), part);
    }
  });

  test('the Markdown table has a row per setting', () => {
    const rows = settingsMarkdown().trimEnd().split('\n');
    assert.equal(rows[0], '| Key | Default | Environment | Flag | Description |');
    assert.equal(rows.length, 2 + SETTINGS.length);
    assert.ok(rows.includes(
      '| `HttpPort` | `18622` | `SCANBRIDGE_HTTP_PORT` | `--http-port` | Port of the HTTP API (0 picks any free port). Allowed: an integer 0..65535. |',
    ));
    assert.ok(!settingsMarkdown().includes('<home>'), 'angle brackets are escaped');
  });

  test('flagSpecs feeds util.parseArgs, booleans given as strings', () => {
    const { values } = parseArgs({
      args: ['--http-port', '9000', '--demo-scanner', 'off', '--allowed-origins=https://a.com'],
      options: flagSpecs(),
    });
    assert.equal(Object.keys(flagSpecs()).length, SETTINGS.length);
    const { settings } = resolveSettings({ flags: values });
    assert.equal(settings.httpPort, 9000);
    assert.equal(settings.demoScanner, false);
    assert.deepEqual(settings.allowedOrigins, ['https://a.com']);
  });
});
