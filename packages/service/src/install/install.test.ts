/** Login registration files are valid for their platform's tools; install and uninstall work end to end. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchAgentPlist, systemdUnit, windowsLogonTask } from './service-units.js';
import { runCli, tempHome } from '../test-support/service-harness.js';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const cmd = { node: process.execPath, main: MAIN, home: '/tmp/scan bridge "home"' };

describe('registration files', () => {
  it('the systemd unit passes systemd-analyze verify (and a broken one does not)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sb-unit-'));
    try {
      const good = path.join(dir, 'scanbridge.service');
      await writeFile(good, systemdUnit(cmd));
      await run('systemd-analyze', ['verify', good]);
      const bad = path.join(dir, 'broken.service');
      await writeFile(bad, systemdUnit({ ...cmd, node: '/nonexistent/node' }));
      await assert.rejects(run('systemd-analyze', ['verify', bad]));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the LaunchAgent plist is well-formed and runs the monitor with this runtime', async () => {
    const { stdout } = await run('python3', ['-c', 'import plistlib,sys,json; p=plistlib.loads(sys.stdin.buffer.read() if False else open(sys.argv[1],"rb").read()); print(json.dumps(p))', await writeTemp(launchAgentPlist(cmd, '/tmp/log'))]);
    const plist = JSON.parse(stdout);
    assert.equal(plist.Label, 'org.scanbridge.service');
    assert.deepEqual(plist.ProgramArguments, [process.execPath, MAIN, 'monitor', '--quiet', '--keep-trust', '--home', cmd.home]);
    assert.equal(plist.RunAtLoad, true);
  });

  it('the Windows logon task is well-formed XML that runs the monitor as the user', async () => {
    const xml = windowsLogonTask({ node: 'C:\\Program Files\\scanbridge\\node.exe', main: 'C:\\Program Files\\scanbridge\\main.js' }, 'DOMAIN\\user');
    const { stdout } = await run('python3', ['-c', 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); print(d.getElementsByTagName("Command")[0].firstChild.data); print(d.getElementsByTagName("Arguments")[0].firstChild.data); print(d.getElementsByTagName("RunLevel")[0].firstChild.data)', await writeTemp(xml.replace('UTF-16', 'UTF-8'))]);
    assert.deepEqual(stdout.trim().split('\n'), ['C:\\Program Files\\scanbridge\\node.exe', '"C:\\Program Files\\scanbridge\\main.js" monitor --quiet --keep-trust', 'LeastPrivilege']);
  });
});

async function writeTemp(text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-reg-'));
  const file = path.join(dir, 'file');
  await writeFile(file, text);
  return file;
}

describe('scanbridge install / uninstall / status', () => {
  it('install registers, generates the certificate and starts; status reports it; uninstall --purge removes everything', async () => {
    const userHome = await mkdtemp(path.join(tmpdir(), 'sb-user-'));
    const home = path.join(userHome, 'service');
    const env = { HOME: userHome, XDG_CONFIG_HOME: path.join(userHome, '.config'), SCANBRIDGE_HTTP_PORT: '0', SCANBRIDGE_HTTPS_PORT: '0', SCANBRIDGE_WELCOME_HTTP_PORT: '0', SCANBRIDGE_WELCOME_HTTPS_PORT: '0' };
    const unit = path.join(userHome, '.config', 'systemd', 'user', 'scanbridge.service');
    try {
      const install = await runCli(['install', '--home', home], env);
      assert.equal(install.code, 0, install.stdout + install.stderr);
      assert.match(install.stdout, /scanbridge is running: http:\/\/127\.0\.0\.1:\d+/);
      assert.match(await readFile(unit, 'utf8'), /^ExecStart=".*" ".*bin\/scanbridge\.js" "monitor" "--quiet" "--keep-trust" "--home" ".*service"$/m);
      await stat(path.join(home, 'cert', 'scanbridge.crt'));
      const status = await runCli(['status', '--home', home], env);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /installed: yes/);
      assert.match(status.stdout, /monitor:\s+running/);
      const uninstall = await runCli(['uninstall', '--home', home, '--purge'], env);
      assert.equal(uninstall.code, 0, uninstall.stderr);
      await assert.rejects(stat(unit));
      await assert.rejects(stat(home));
      const after = await runCli(['status', '--home', home], env);
      assert.equal(after.code, 3);
      assert.match(after.stdout, /installed: no/);
    } finally {
      await runCli(['stop', '--home', home], env);
      await rm(userHome, { recursive: true, force: true });
    }
  });

  it('status diagnoses a broken install with the exact fix', async () => {
    const home = await tempHome();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await mkdir(home, { recursive: true });
      await writeFile(path.join(home, 'port.lock'), JSON.stringify({ pid: 999999, ports: { http: 1 } }));
      await writeFile(path.join(home, 'scanbridge.ini'), `HttpPort = ${port}\nHttpsPort = 0\nWelcomeHttpPort = 0\nWelcomeHttpsPort = 0\n`);
      const stale = await runCli(['status', '--home', home]);
      assert.equal(stale.code, 3);
      assert.match(stale.stdout, /port\.lock was left by a run that crashed \(pid 999999\)/);
      assert.match(stale.stdout, new RegExp(`port ${port} \\(HttpPort\\) is in use by another program: change HttpPort in .*scanbridge\\.ini`));
      await writeFile(path.join(home, 'scanbridge.ini'), 'HttpPort = 0\nLogLevel = chatty\n');
      const bad = await runCli(['status', '--home', home]);
      assert.match(bad.stdout, /scanbridge\.ini:2: .*LogLevel.*fix it, then start again/);
      const missing = await runCli(['status', '--home', path.join(home, 'nope')]);
      assert.match(missing.stdout, /does not exist yet/);
    } finally {
      blocker.close();
      await rm(home, { recursive: true, force: true });
    }
  });
});
