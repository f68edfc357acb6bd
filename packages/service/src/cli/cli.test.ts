/** The `scanbridge` command as a user runs it: help, exit codes, config errors, port conflicts, port.lock, scan to a file. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import net from 'node:net';
import { readFile, rm, writeFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { BIN, runCli, tempHome, FREE_PORT_FLAGS, type ChildService } from '../test-support/service-harness.js';
import { withChildService } from '../test-support/child-fixture.js';
import { VERSION } from '../version.js';

const run = promisify(execFile);
const freeFlags = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);

describe('scanbridge CLI', () => {
  let home: string;
  let svc: ChildService;

  withChildService((s) => {
    svc = s;
    home = s.home;
  });

  it('--help on every command, --version, unknown command exit 2', async () => {
    for (const cmd of ['run', 'status', 'devices', 'scan']) {
      const r = await runCli([cmd, '--help']);
      assert.equal(r.code, 0, cmd);
      assert.match(r.stdout, new RegExp(`^Usage: scanbridge ${cmd}`), cmd);
    }
    assert.equal((await runCli(['--version'])).stdout.trim(), VERSION);
    const bad = await runCli(['frobnicate']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown command "frobnicate"/);
    const badFlag = await runCli(['status', '--nope']);
    assert.equal(badFlag.code, 2);
  });

  it('the service folder has its folders, inis and port.lock; the key is private', async () => {
    for (const dir of ['cache', 'cert', 'dump', 'log', 'upload']) assert.ok((await stat(path.join(home, dir))).isDirectory(), dir);
    const ini = await readFile(path.join(home, 'scanbridge.ini'), 'utf8');
    assert.match(ini, /;\s*HttpPort\s*=\s*18622/);
    await stat(path.join(home, 'user.ini'));
    const lock = JSON.parse(await readFile(path.join(home, 'port.lock'), 'utf8'));
    assert.equal(lock.pid, svc.child.pid);
    assert.equal((await stat(path.join(home, 'cert', 'scanbridge.key'))).mode & 0o777, 0o600);
    const { stdout } = await run('openssl', ['x509', '-noout', '-ext', 'subjectAltName', '-in', path.join(home, 'cert', 'scanbridge.crt')]);
    assert.match(stdout, /DNS:localhost/);
    assert.match(stdout, /IP Address:127\.0\.0\.1/);
    assert.match(stdout, /IP Address:0:0:0:0:0:0:0:1/);
  });

  it('status and devices talk to the running service', async () => {
    const status = await runCli(['status', '--home', home]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`scanbridge ${VERSION.replace(/\./g, '\\.')} is running`));
    assert.match(status.stdout, new RegExp(`http://127\\.0\\.0\\.1:${svc.ports.http}`));
    const json = JSON.parse((await runCli(['status', '--home', home, '--json'])).stdout);
    assert.equal(json.running, true);
    assert.equal(json.ports.http, svc.ports.http);
    const devices = await runCli(['devices', '--home', home]);
    assert.equal(devices.code, 0);
    assert.match(devices.stdout, /^demo:scanner\t/m);
  });

  it('status on a folder without a service exits 3 and says how to start it', async () => {
    const empty = await tempHome();
    const r = await runCli(['status', '--home', empty]);
    assert.equal(r.code, 3);
    assert.match(r.stdout, /not running/);
    await rm(empty, { recursive: true, force: true });
  });

  it('scan --out file.pdf writes a PDF with one page per sheet (checked by pdfinfo and qpdf)', async () => {
    const out = path.join(home, 'out.pdf');
    const r = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--option', 'sheets=3', '--dpi', '100', '--mode', 'gray', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /3 page\(s\) saved/);
    const { stdout } = await run('pdfinfo', [out]);
    assert.match(stdout, /^Pages:\s+3$/m);
    assert.match(stdout, /Page size:\s+59[56](\.\d+)? x 84[12](\.\d+)? pts \(A4\)/);
    await run('qpdf', ['--check', out]);
  });

  it('scan --out file.tif writes a multi-page TIFF; .jpg writes one file per page', async () => {
    const tif = path.join(home, 'out.tif');
    assert.equal((await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--duplex', '--option', 'sheets=1', '--dpi', '75', '--out', tif])).code, 0);
    const { stdout } = await run('tiffinfo', [tif]);
    assert.equal(stdout.match(/TIFF Directory/g)?.length, 2);
    const jpg = path.join(home, 'flat.jpg');
    assert.equal((await runCli(['scan', '--home', home, '--device', 'demo:flatbed', '--dpi', '75', '--out', jpg])).code, 0);
    await stat(jpg);
    // Both sides of a sheet as PNG: two files, named by page.
    const png = path.join(home, 'sides.png');
    const sides = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--duplex', '--option', 'sheets=1', '--dpi', '75', '--out', png]);
    assert.equal(sides.code, 0, sides.stderr);
    assert.match(sides.stdout, /2 page\(s\) saved to .*sides-1\.png, .*sides-2\.png/);
    for (const file of ['sides-1.png', 'sides-2.png']) {
      const { stdout: pnm } = await run('pngtopnm', [path.join(home, file)], { encoding: 'buffer', maxBuffer: 1 << 26 });
      assert.deepEqual(pnm.subarray(0, 20).toString('latin1').split(/\s+/).slice(1, 3).map(Number), [620, 877], file);
    }
  });

  it('a scanner error exits 1 naming the code, and the pages before it are saved', async () => {
    const out = path.join(home, 'jam.pdf');
    const r = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--source', 'feeder', '--option', 'sheets=4', '--option', 'jamAfter=2', '--dpi', '75', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /paper-jam/);
    assert.match((await run('pdfinfo', [out])).stdout, /^Pages:\s+2$/m);
    const usage = await runCli(['scan', '--home', home, '--device', 'demo:scanner', '--out', path.join(home, 'x.gif')]);
    assert.equal(usage.code, 2);
    const unknown = await runCli(['scan', '--home', home, '--device', 'nope:x', '--out', path.join(home, 'x.pdf')]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown-device/);
  });

  it('a second instance on the same folder is refused because of port.lock', async () => {
    const r = await runCli(['run', '--home', home, ...freeFlags]);
    assert.equal(r.code, 4);
    assert.match(r.stderr, new RegExp(`another scanbridge \\(pid ${svc.child.pid}\\) is already running`));
    assert.match(r.stderr, /port\.lock/);
  });

  it('a port in use names the port and the setting to change', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const other = await tempHome();
    try {
      const r = await runCli(['run', '--home', other, ...freeFlags, '--https-port', String(port)]);
      assert.equal(r.code, 4);
      assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
      assert.match(r.stderr, /HttpsPort/);
      // The failed start released its lock: the folder is usable.
      await assert.rejects(stat(path.join(other, 'port.lock')));
    } finally {
      blocker.close();
      await rm(other, { recursive: true, force: true });
    }
  });

  it('a wrong config refuses to start, naming file, line and key', async () => {
    const other = await tempHome();
    try {
      await writeFile(path.join(other, 'scanbridge.ini'), '; mine\nHttpPort = 18622\nMemoryBudgetMB = lots\n');
      const r = await runCli(['run', '--home', other, ...freeFlags]);
      assert.equal(r.code, 4);
      assert.match(r.stderr, /scanbridge\.ini:3: .*MemoryBudgetMB/);
      await writeFile(path.join(other, 'scanbridge.ini'), 'HttpProt = 1\n');
      const typo = await runCli(['run', '--home', other, ...freeFlags]);
      assert.match(typo.stderr, /scanbridge\.ini:1: unknown key "HttpProt" \(did you mean "HttpPort"\?\)/);
      await writeFile(path.join(other, 'scanbridge.ini'), '');
      const env = await runCli(['run', '--home', other, ...freeFlags], { SCANBRIDGE_LOG_LEVEL: 'loud' });
      assert.match(env.stderr, /SCANBRIDGE_LOG_LEVEL/);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('SIGTERM while the service is still starting stops it cleanly once started: exit 0, port.lock released', async () => {
    const other = await tempHome();
    try {
      const child = spawn(process.execPath, [BIN, 'run', '--home', other, '--quiet', ...freeFlags], { env: { ...process.env, SCANBRIDGE_HOME: '' }, stdio: 'ignore' });
      const exited = new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, signal) => resolve([code, signal])));
      // port.lock is taken first thing; the listeners, certificate and buffer come after.
      while (!(await stat(path.join(other, 'port.lock')).then(() => true, () => false))) await new Promise((r) => setTimeout(r, 5));
      child.kill('SIGTERM');
      assert.deepEqual(await exited, [0, null]);
      await assert.rejects(stat(path.join(other, 'port.lock')), 'port.lock is released');
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
