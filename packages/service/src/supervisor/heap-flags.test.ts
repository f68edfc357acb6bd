/** The service process runs with its V8 flags (the young-generation cap) however it is started. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { FREE_PORT_FLAGS, rpc, startChild, tempHome, waitForService } from '../test-support/service-harness.js';
import { hasServiceFlags, SERVICE_NODE_FLAGS } from './heap-flags.js';
import { Monitor } from './monitor.js';

const cmdline = async (pid: number) => (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
const canRestartInPlace = typeof (process as { execve?: unknown }).execve === 'function';

describe('service V8 flags', () => {
  it('are recognised on the command line or in NODE_OPTIONS, with any value', () => {
    assert.equal(hasServiceFlags([]), false);
    assert.equal(hasServiceFlags(['--expose-gc']), false);
    assert.equal(hasServiceFlags([...SERVICE_NODE_FLAGS]), true);
    assert.equal(hasServiceFlags(['--max-semi-space-size=4']), true, "a user's own value is kept");
    assert.equal(hasServiceFlags(['--max_semi_space_size=4']), true, 'V8 accepts underscores');
    assert.equal(hasServiceFlags([], '--max-old-space-size=100 --max-semi-space-size=8'), true);
    assert.equal(hasServiceFlags([], '--max-old-space-size=100'), false);
  });

  let home: string;
  before(async () => {
    home = await tempHome();
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it(`\`scanbridge run\` started without them restarts in place with them (${canRestartInPlace ? 'this Node has process.execve' : 'this Node has no process.execve: it runs as started'})`, async () => {
    const svc = await startChild(home);
    try {
      assert.equal((await rpc(svc.base, 'fa', 'VersionInfo')).status, 200, 'the restarted process is the service');
      const args = await cmdline(svc.child.pid!);
      for (const flag of SERVICE_NODE_FLAGS) assert.equal(args.includes(flag), canRestartInPlace, `${flag} in ${args.join(' ')}`);
    } finally {
      assert.equal(await svc.stop(), 0, 'the pid the parent started is the one that stops cleanly');
    }
  });

  it('the monitor starts the service with them', async () => {
    const freeFlags = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);
    const monitor = new Monitor({ home, dumpDir: path.join(home, 'dump'), runArgs: freeFlags });
    monitor.start();
    try {
      const up = await waitForService(home);
      const args = await cmdline(up.pid);
      for (const flag of SERVICE_NODE_FLAGS) assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
      assert.equal(args.filter((a) => SERVICE_NODE_FLAGS.includes(a)).length, SERVICE_NODE_FLAGS.length, 'given once, not restarted again');
    } finally {
      await monitor.stop();
    }
  });
});
