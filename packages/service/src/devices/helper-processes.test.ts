/**
 * The helper processes that start with the service and can wait (the SANE
 * discovery worker, forked early or by the driver, and the camera tools'
 * probe) run at a lower priority, so they do not take a core from the
 * service's own start; a device worker that scans keeps the service's.
 * And no SANE worker inherits NODE_EXTRA_CA_CERTS, which costs every Node
 * process that has it about 80 ms at start, and which they do not use.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forkSaneDiscovery } from './sane/discovery-fork.js';
import { SaneDriver } from './sane/sane-driver.js';
import { createTestBackend, type TestBackend } from './sane/test-backend.js';
import { saneWorkers } from './sane/test-helpers.js';
import { probeCameraTools } from './camera/tool-probe.js';
import { backgroundNiceness } from '../util/background-priority.js';

/** The niceness of a process, from /proc (field 19 of stat). */
const niceness = async (pid: number): Promise<number> => Number((await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ')[16]);

const environOf = async (pid: number): Promise<string[]> => (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');

/** The discovery workers among this process's children. */
async function discoveryWorkers(): Promise<number[]> {
  const children = (await readFile(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8')).split(' ').filter(Boolean).map(Number);
  const found: number[] = [];
  for (const pid of children) {
    const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
    if (args.some((a) => a.endsWith('sane-worker-main.js')) && args.includes('discovery')) found.push(pid);
  }
  return found;
}

let backend: TestBackend;
let dir = '';
const own = getPriority();

before(async () => {
  backend = await createTestBackend();
  // The worker forked at start finds the scanners of the service's environment: here the test backend's.
  Object.assign(process.env, backend.env);
  process.env.NODE_EXTRA_CA_CERTS = '/etc/ssl/certs/ca-certificates.crt';
  dir = await mkdtemp(path.join(tmpdir(), 'sb-priority-'));
});
after(async () => {
  await backend.remove();
  await rm(dir, { recursive: true, force: true });
});

test('the SANE discovery worker forked at start runs at the background niceness, and the driver that takes it over keeps it', async () => {
  assert.ok(own < 19, `this test runs at niceness ${own}: no lower priority is left to give`);
  const early = forkSaneDiscovery('');
  const driver = new SaneDriver({ discovery: early, idleTimeoutMs: 60_000 });
  try {
    assert.equal(await niceness(early.child.pid!), backgroundNiceness());
    await driver.list();
    assert.equal(await niceness(early.child.pid!), backgroundNiceness());
  } finally {
    await driver.close();
  }
});

test("a discovery worker the driver forks itself runs in the background; a device's scanning worker keeps the service's priority; neither inherits NODE_EXTRA_CA_CERTS", async () => {
  const driver = new SaneDriver({ env: { ...process.env }, idleTimeoutMs: 60_000 });
  try {
    // The discovery worker lives for one look: caught while it looks.
    const earlier = new Set(await discoveryWorkers());
    let listed = false;
    const listing = driver.list().finally(() => (listed = true));
    let discovery: number[] = [];
    while (discovery.length === 0 && !listed) discovery = (await discoveryWorkers()).filter((pid) => !earlier.has(pid));
    assert.equal(discovery.length, 1);
    assert.equal(await niceness(discovery[0]!), backgroundNiceness());
    const discoveryEnv = await environOf(discovery[0]!);
    const [device] = await listing;
    assert.ok(device, 'the test backend lists a device');
    await driver.capabilities(device.id);
    const [scanning] = await saneWorkers(process.pid, device.id);
    assert.ok(scanning, "the device's worker is running");
    assert.equal(await niceness(scanning), own);
    for (const environ of [discoveryEnv, await environOf(scanning)]) {
      assert.ok(environ.some((e) => e.startsWith('SANE_CONFIG_DIR=')), 'the worker has the service environment');
      assert.ok(!environ.some((e) => e.startsWith('NODE_EXTRA_CA_CERTS=')), 'the worker has no NODE_EXTRA_CA_CERTS');
    }
  } finally {
    await driver.close();
  }
});

test("the camera tools' probe runs ffmpeg in the background", async () => {
  // A stand-in ffmpeg that says its own niceness where the probe reads its version.
  const ffmpeg = path.join(dir, 'ffmpeg');
  await writeFile(ffmpeg, '#!/bin/sh\necho "ffmpeg version stand-in, niceness $(nice)"\n');
  await chmod(ffmpeg, 0o755);
  const [result] = await probeCameraTools(ffmpeg).results;
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout.toString('utf8').trim(), `ffmpeg version stand-in, niceness ${backgroundNiceness()}`);
});
