import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { resolveSettings } from './load.js';
import { originProblem } from './origins.js';
import { defaultSettings, SETTINGS, type Settings } from './settings.js';

const file = '/etc/scanbridge/scanbridge.ini';
const MB = 1024 * 1024;

/** Parses `Key = value` written on line 3 of an ini. */
function fromIni(line: string): Settings {
  return resolveSettings({ ini: { file, text: `; settings\n[scanbridge]\n${line}\n` } }).settings;
}

/** Asserts the exact error a bad ini value gives, with its file, line and key. */
function rejects(key: string, value: string, problem: string): void {
  assert.throws(() => fromIni(`${key} = ${value}`), {
    name: 'ConfigError',
    message: `${file}:3: bad value for ${key}: ${problem}`,
    file,
    line: 3,
    key,
  });
}

describe('the settings table', () => {
  test('names follow one convention: SCANBRIDGE_SNAKE_CASE and --kebab-case', () => {
    for (const spec of SETTINGS) {
      const words = spec.key.match(/[A-Z][a-z]+|[A-Z]+(?![a-z])/g)!;
      assert.equal(words.join(''), spec.key);
      assert.equal(spec.env, `SCANBRIDGE_${words.join('_').toUpperCase()}`);
      assert.equal(spec.flag, words.join('-').toLowerCase());
      assert.ok(spec.description.length > 0 && !spec.description.includes('\n'), spec.key);
    }
  });

  test('keys, properties, variables and flags are unique', () => {
    for (const field of ['key', 'prop', 'env', 'flag'] as const) {
      const values = SETTINGS.map((s) => s[field]);
      assert.equal(new Set(values).size, values.length, field);
    }
  });

  test('defaults', () => {
    assert.deepEqual(defaultSettings(), {
      httpPort: 18622,
      httpsPort: 18623,
      welcomeHttpPort: 18625,
      welcomeHttpsPort: 18626,
      bindAddress: '127.0.0.1',
      allowOtherUsers: false,
      logLevel: 'info',
      memoryBudgetBytes: 512 * MB,
      imageMemoryBytes: 256 * MB,
      cacheDir: '',
      sessionIdleTimeoutMs: 1_800_000,
      allowedOrigins: [],
      maxBodyBytes: 64 * MB,
      logMaxSizeBytes: 10 * MB,
      logMaxFiles: 5,
      demoScanner: true,
      demoFeederSheets: 10,
      saneScanners: true,
      saneLibrary: '',
      saneDiscoveryIntervalMs: 60_000,
      esclDiscovery: true,
      esclScanners: [],
      deviceListIntervalMs: 60_000,
      deviceWorkerIdleTimeoutMs: 60_000,
      cameras: true,
      ffmpegPath: '',
      testCameras: [],
      saveFolders: [],
      uploadDestinations: [],
      esclServer: false,
      esclShare: [],
      esclPort: 18624,
      esclBindAddress: '0.0.0.0',
      esclAllowedNetworks: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7', 'fe80::/10'],
      esclTls: false,
    });
  });

  test('EsclShare takes device ids, EsclAllowedNetworks CIDR networks, each refused naming the entry', () => {
    assert.deepEqual(fromIni('EsclShare = demo:scanner; sane:epson2:libusb:001:004').esclShare, ['demo:scanner', 'sane:epson2:libusb:001:004']);
    rejects('EsclShare', 'scanner', '"scanner" is not a device id (expected <driver>:<name>, as `scanbridge devices` lists them, e.g. demo:scanner)');
    assert.deepEqual(fromIni('EsclAllowedNetworks = 192.168.1.0/24, 10.1.2.3, fd00::/8').esclAllowedNetworks, ['192.168.1.0/24', '10.1.2.3/32', 'fd00::/8']);
    assert.deepEqual(fromIni('EsclAllowedNetworks =').esclAllowedNetworks, []);
    rejects('EsclAllowedNetworks', '192.168.1.0/33', '"192.168.1.0/33" has a prefix length outside 0..32 (expected networks in CIDR form like 192.168.1.0/24 or fd00::/8 separated by commas (a bare address is one host), or empty for loopback only)');
    rejects('EsclAllowedNetworks', 'office', '"office" is not a network (expected networks in CIDR form like 192.168.1.0/24 or fd00::/8 separated by commas (a bare address is one host), or empty for loopback only)');
  });
});

describe('value types', () => {
  test('ports accept 0..65535', () => {
    assert.equal(fromIni('HttpPort = 0').httpPort, 0);
    assert.equal(fromIni('HttpsPort = 65535').httpsPort, 65535);
    assert.equal(fromIni('WelcomeHttpPort = 8080').welcomeHttpPort, 8080);
    assert.equal(fromIni('WelcomeHttpsPort = 8443').welcomeHttpsPort, 8443);
  });

  test('ports reject anything else', () => {
    rejects('HttpPort', 'abc', '"abc" is not a port (expected an integer 0..65535)');
    rejects('HttpsPort', '443.5', '"443.5" is not a port (expected an integer 0..65535)');
    rejects('WelcomeHttpPort', '65536', '"65536" is out of range (expected an integer 0..65535)');
    rejects('WelcomeHttpsPort', '-1', '"-1" is out of range (expected an integer 0..65535)');
    rejects('HttpPort', '""', '"" is not a port (expected an integer 0..65535)');
  });

  test('BindAddress accepts IP literals and localhost', () => {
    for (const address of ['127.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'localhost']) {
      assert.equal(fromIni(`BindAddress = ${address}`).bindAddress, address);
    }
  });

  test('BindAddress rejects host names and bracketed IPv6', () => {
    rejects('BindAddress', 'example.com', '"example.com" is not an IP address (expected an IPv4 or IPv6 address, or localhost)');
    rejects('BindAddress', '256.1.1.1', '"256.1.1.1" is not an IP address (expected an IPv4 or IPv6 address, or localhost)');
    rejects(
      'BindAddress',
      '[::1]',
      '"[::1]" is not an IP address (expected an IPv4 or IPv6 address, or localhost; write it without brackets: "::1")',
    );
  });

  test('LogLevel accepts the pino levels in any case', () => {
    for (const level of ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const) {
      assert.equal(fromIni(`LogLevel = ${level}`).logLevel, level);
    }
    assert.equal(fromIni('LogLevel = DEBUG').logLevel, 'debug');
    rejects('LogLevel', 'verbose', '"verbose" is not a log level (expected trace, debug, info, warn, error, fatal or silent)');
  });

  test('MemoryBudgetMB is in MB, 16..65536', () => {
    assert.equal(fromIni('MemoryBudgetMB = 16').memoryBudgetBytes, 16 * MB);
    assert.equal(fromIni('MemoryBudgetMB = 65536').memoryBudgetBytes, 65536 * MB);
    rejects('MemoryBudgetMB', '15', '"15" is out of range (expected an integer 16..65536)');
    rejects('MemoryBudgetMB', '65537', '"65537" is out of range (expected an integer 16..65536)');
    rejects('MemoryBudgetMB', '1GB', '"1GB" is not a size in megabytes (expected an integer 16..65536)');
  });

  test('CacheDir is empty or an absolute path', () => {
    const absolute = path.resolve('/var/cache/scanbridge');
    assert.equal(fromIni(`CacheDir = "${absolute}"`).cacheDir, absolute);
    assert.equal(fromIni('CacheDir =').cacheDir, '');
    rejects('CacheDir', 'cache', '"cache" is not an absolute path (expected an absolute folder path, or empty for <home>/cache)');
  });

  test('SessionIdleTimeout is in seconds, at least 5', () => {
    assert.equal(fromIni('SessionIdleTimeout = 5').sessionIdleTimeoutMs, 5000);
    assert.equal(fromIni('SessionIdleTimeout = 604800').sessionIdleTimeoutMs, 604_800_000);
    rejects('SessionIdleTimeout', '4', '"4" is out of range (expected an integer 5..604800)');
    rejects('SessionIdleTimeout', '604801', '"604801" is out of range (expected an integer 5..604800)');
    rejects('SessionIdleTimeout', '30m', '"30m" is not a duration in seconds (expected an integer 5..604800)');
  });

  test('MaxBodyMB is in MB, 1..2048', () => {
    assert.equal(fromIni('MaxBodyMB = 1').maxBodyBytes, MB);
    assert.equal(fromIni('MaxBodyMB = 2048').maxBodyBytes, 2048 * MB);
    rejects('MaxBodyMB', '0', '"0" is out of range (expected an integer 1..2048)');
    rejects('MaxBodyMB', '2049', '"2049" is out of range (expected an integer 1..2048)');
  });

  test('LogMaxSizeMB and LogMaxFiles', () => {
    assert.equal(fromIni('LogMaxSizeMB = 1').logMaxSizeBytes, MB);
    assert.equal(fromIni('LogMaxFiles = 100').logMaxFiles, 100);
    rejects('LogMaxSizeMB', '0', '"0" is out of range (expected an integer 1..1024)');
    rejects('LogMaxFiles', '0', '"0" is out of range (expected an integer 1..100)');
    rejects('LogMaxFiles', 'five', '"five" is not an integer (expected an integer 1..100)');
  });

  test('DemoScanner takes the usual boolean words', () => {
    for (const word of ['true', 'yes', 'on', '1', 'TRUE', 'Yes']) assert.equal(fromIni(`DemoScanner = ${word}`).demoScanner, true, word);
    for (const word of ['false', 'no', 'off', '0', 'False', 'OFF']) assert.equal(fromIni(`DemoScanner = ${word}`).demoScanner, false, word);
    rejects('DemoScanner', 'maybe', '"maybe" is not a boolean (expected true, false, yes, no, on, off, 1 or 0)');
  });

  test('FfmpegPath is a program name or an absolute path; TestCameras are name=source pairs', () => {
    assert.equal(fromIni('FfmpegPath = /opt/ffmpeg/bin/ffmpeg').ffmpegPath, '/opt/ffmpeg/bin/ffmpeg');
    assert.equal(fromIni('FfmpegPath = ffmpeg.exe').ffmpegPath, 'ffmpeg.exe');
    rejects('FfmpegPath', 'bin/ffmpeg', '"bin/ffmpeg" is neither a program name nor an absolute path (expected a program name or an absolute path, or empty for ffmpeg on the PATH)');
    assert.deepEqual(fromIni('TestCameras = desk=/tmp/desk.mkv; bars = lavfi:testsrc2=size=640x480').testCameras, ['desk=/tmp/desk.mkv', 'bars=lavfi:testsrc2=size=640x480']);
    rejects('TestCameras', 'desk=desk.mkv', '"desk.mkv" is neither an absolute path nor lavfi:<graph> (expected name=source entries separated by semicolons (name: letters, digits, - or _; source: an absolute video file path or lavfi:<graph>), or empty for none)');
  });

  test('SaneLibrary is a library name or an absolute path', () => {
    assert.equal(fromIni('SaneLibrary = libsane.so.1').saneLibrary, 'libsane.so.1');
    assert.equal(fromIni('SaneLibrary = /opt/sane/lib/libsane.so.1').saneLibrary, '/opt/sane/lib/libsane.so.1');
    rejects('SaneLibrary', 'lib/libsane.so.1', '"lib/libsane.so.1" is neither a file name nor an absolute path (expected a library file name or an absolute path, or empty for the system libsane)');
  });

  test('DeviceWorkerIdleTimeout and SaneDiscoveryInterval are seconds', () => {
    assert.equal(fromIni('DeviceWorkerIdleTimeout = 5').deviceWorkerIdleTimeoutMs, 5000);
    assert.equal(fromIni('SaneDiscoveryInterval = 0').saneDiscoveryIntervalMs, 0);
    rejects('DeviceWorkerIdleTimeout', '0', '"0" is out of range (expected an integer 1..86400)');
  });

  test('DemoFeederSheets is 1..1000', () => {
    assert.equal(fromIni('DemoFeederSheets = 1000').demoFeederSheets, 1000);
    rejects('DemoFeederSheets', '0', '"0" is out of range (expected an integer 1..1000)');
    rejects('DemoFeederSheets', '1001', '"1001" is out of range (expected an integer 1..1000)');
  });
});

describe('SaveFolders', () => {
  test('accepts absolute folders separated by semicolons, normalised, skipping empty entries and repeats', () => {
    assert.deepEqual(fromIni('SaveFolders = /srv/scans ; /home/ana/My, Scans/;;/srv/scans/').saveFolders, ['/srv/scans', '/home/ana/My, Scans']);
    assert.deepEqual(fromIni('SaveFolders = /').saveFolders, ['/']);
    assert.deepEqual(fromIni('SaveFolders = /a/b/../c; /a/c').saveFolders, ['/a/c']);
    assert.deepEqual(fromIni('SaveFolders =').saveFolders, []);
  });

  test('rejects relative folders, naming the entry', () => {
    rejects('SaveFolders', '/srv/scans; scans', '"scans" is not an absolute path (expected absolute folder paths separated by semicolons, or empty for none)');
  });
});

describe('AllowedOrigins', () => {
  test('accepts exact origins, trimming blanks, skipping empty entries and repeats', () => {
    assert.deepEqual(fromIni('AllowedOrigins = https://app.example.com, http://localhost:3000,,https://app.example.com,').allowedOrigins, [
      'https://app.example.com',
      'http://localhost:3000',
    ]);
    assert.deepEqual(fromIni('AllowedOrigins = http://[::1]:8080').allowedOrigins, ['http://[::1]:8080']);
    assert.deepEqual(fromIni('AllowedOrigins =').allowedOrigins, []);
  });

  test('rejects anything that is not an exact http(s) origin, naming the entry', () => {
    const notOrigin = (entry: string) => `"${entry}" is not an origin (expected scheme://host[:port] with scheme http or https)`;
    rejects('AllowedOrigins', 'https://ok.example.com, https://app.example.com/', '"https://app.example.com/" ends with a slash (write "https://app.example.com")');
    rejects('AllowedOrigins', 'app.example.com', notOrigin('app.example.com'));
    rejects('AllowedOrigins', 'ftp://x', '"ftp://x" has scheme "ftp" (expected http or https)');
    rejects('AllowedOrigins', 'null', notOrigin('null'));
    rejects('AllowedOrigins', 'https://a.com/path', '"https://a.com/path" has a path (write "https://a.com")');
    rejects('AllowedOrigins', 'https://a.com?x=1', '"https://a.com?x=1" has a path (write "https://a.com")');
    rejects('AllowedOrigins', 'https://', notOrigin('https://'));
  });

  test('rejects origins a browser would never send in that form', () => {
    assert.equal(originProblem('https://App.Example.com'), '"https://App.Example.com" is not written the way browsers send it (write "https://app.example.com")');
    assert.equal(originProblem('https://a.com:443'), '"https://a.com:443" is not written the way browsers send it (write "https://a.com")');
    assert.equal(originProblem('https://user@a.com'), '"https://user@a.com" contains a user name (write "https://a.com")');
    assert.equal(originProblem('https://a.com:8443'), undefined);
  });
});
