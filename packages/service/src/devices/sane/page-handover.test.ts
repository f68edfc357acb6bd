/**
 * The folder through which a SANE worker hands its pages to the service: a
 * page is read once and deleted, a name that is not a page file is refused
 * (the service reads nothing else there), closing removes what was not taken,
 * and a folder left by a killed service is swept by the next scan while a
 * live service's is kept.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { PageHandover, handOver } from './page-handover.js';

const exists = (p: string) => stat(p).then(() => true, () => false);

describe('page handover folder', () => {
  it('a page is read once and deleted; closing removes the folder and what was not taken', async () => {
    const handover = await PageHandover.open();
    assert.ok(handover.dir.includes(`scanbridge-pages-${process.pid}-`), handover.dir);
    assert.equal((await stat(handover.dir)).mode & 0o777, 0o700);
    const bytes = Buffer.from('a page, as the worker encoded it');
    const name = await handOver(handover.dir, 1, 'png', bytes);
    const taken = await handover.take(name);
    assert.deepEqual(taken, bytes);
    // Its own memory, not a view into a larger allocation that the memory cache would copy.
    assert.equal(taken.byteOffset, 0);
    assert.equal(taken.buffer.byteLength, taken.length);
    assert.deepEqual(await readdir(handover.dir), []);
    await handOver(handover.dir, 2, 'png', bytes);
    await handover.close();
    assert.equal(await exists(handover.dir), false);
  });

  it('refuses a name that is not a page file of the folder', async () => {
    const handover = await PageHandover.open();
    try {
      for (const name of ['../cert/cache.key', 'page-1-0123abcd.png/../../x', '/etc/passwd', 'page-1.png']) {
        await assert.rejects(handover.take(name), (err: Error & { code?: string }) => err.code === 'internal-error' && /not a page file name/.test(err.message));
      }
    } finally {
      await handover.close();
    }
  });

  it("removes the folder of a service that is gone, keeps a live one's", async () => {
    const first = await PageHandover.open();
    const base = path.dirname(first.dir);
    await first.close();
    // pid 2^22 + 1 is above Linux's pid_max default: no process has it.
    const dead = path.join(base, 'scanbridge-pages-4194305-test');
    const live = path.join(base, `scanbridge-pages-${process.ppid}-test`);
    await mkdir(dead);
    await mkdir(live);
    await writeFile(path.join(dead, 'page-1-0123abcd.png'), 'left behind');
    try {
      const handover = await PageHandover.open();
      await handover.close();
      assert.equal(await exists(dead), false);
      assert.equal(await exists(live), true);
    } finally {
      await rm(dead, { recursive: true, force: true });
      await rm(live, { recursive: true, force: true });
    }
  });
});
