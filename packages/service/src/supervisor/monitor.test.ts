/** The monitor keeps the service running: restart after kill -9, back-off, clean stop, crash notes in dump/. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { BIN, FREE_PORT_FLAGS, rpc, runCli, tempHome, waitForService } from '../test-support/service-harness.js';
import { Monitor, restartDelay } from './monitor.js';
import { pruneDumps } from './dumps.js';

const freeFlags = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);

describe('restart delay', () => {
  it('starts under a second, doubles while crashes repeat, and is capped', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((n) => restartDelay(n)), [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  });
});

describe('monitor', () => {
  let home: string;
  before(async () => {
    home = await tempHome();
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('restarts the service after kill -9 with growing delays, and writes crash notes', async () => {
    const monitor = new Monitor({ home, dumpDir: path.join(home, 'dump'), runArgs: freeFlags, backoff: { firstMs: 100, maxMs: 400, stableAfterMs: 60_000 } });
    const delays: number[] = [];
    monitor.on('restarting', (d) => delays.push(d));
    monitor.start();
    try {
      let pid: number | undefined;
      for (let i = 0; i < 4; i++) {
        const up = await waitForService(home, pid);
        assert.equal((await rpc(up.base, 'fa', 'VersionInfo')).status, 200);
        pid = up.pid;
        process.kill(pid, 'SIGKILL');
      }
      await waitForService(home, pid);
      assert.deepEqual(delays, [100, 200, 400, 400]);
      assert.equal(monitor.state.restarts, 4);
      const notes = (await readdir(path.join(home, 'dump'))).filter((f) => f.startsWith('crash.'));
      assert.equal(notes.length, 4);
      const note = JSON.parse(await readFile(path.join(home, 'dump', notes[0]!), 'utf8'));
      assert.equal(note.signal, 'SIGKILL');
    } finally {
      await monitor.stop();
    }
    await assert.rejects(stat(path.join(home, 'port.lock')), 'the stopped service released port.lock');
  });

  it('dump retention keeps the newest files within the limits', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'sb-dump-'));
    try {
      for (let i = 0; i < 30; i++) {
        const file = path.join(dir, `crash.${i}.json`);
        await writeFile(file, 'x'.repeat(100));
        await utimes(file, 1000 + i, 1000 + i);
      }
      assert.equal(await pruneDumps(dir, { files: 20, bytes: 1500 }), 15);
      const left = (await readdir(dir)).sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));
      assert.deepEqual(left, Array.from({ length: 15 }, (_, i) => `crash.${i + 15}.json`));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`scanbridge monitor` + kill -9 during a 50-page job: session and pages back byte-identical, job interrupted; `scanbridge stop` ends both', async () => {
    const folder = await tempHome();
    const monitor = spawn(process.execPath, [BIN, 'monitor', '--home', folder, '--quiet', ...freeFlags], { stdio: 'ignore' });
    try {
      const first = await waitForService(folder);
      const session = ((await rpc(first.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      const job = (await rpc(first.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 100, options: { sheets: 50, pageDelay: 100 } } }, session)).body.result![0] as JobInfo;
      let seen = 0;
      while (seen < 5) seen = ((await rpc(first.base, 'f', 'GetJob', { job: job.id }, session)).body.result![0] as JobInfo).pages;
      process.kill(first.pid, 'SIGKILL');
      const second = await waitForService(folder, first.pid);
      const status = await runCli(['status', '--home', folder]);
      assert.match(status.stdout, /monitor:\s+running .*1 restart/);
      const info = (await rpc(second.base, 'f', 'GetJob', { job: job.id }, session)).body.result![0] as JobInfo;
      assert.equal(info.state, 'interrupted');
      assert.equal(info.error?.code, 'job-interrupted');
      // The job record is written after each page is in the buffer, so at a kill it may lag the
      // last page by one write; the pages themselves are all in the buffer (checked below).
      assert.ok(info.pages >= 4 && info.pages < 50, `pages ${info.pages}`);
      const pages = (await rpc(second.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
      // Every page the job reported is there, in order; a page stored in the instant of the kill may be there too.
      assert.deepEqual(pages.map((p) => p.id).slice(0, info.pageIds.length), info.pageIds);
      for (const page of pages) {
        const image = (await rpc(second.base, 'f', 'GetImage', { page: page.id }, session)).body.result![0] as { data: string };
        assert.equal(Buffer.from(image.data, 'base64').length, page.byteSize);
      }
      const stop = await runCli(['stop', '--home', folder]);
      assert.equal(stop.code, 0, stop.stderr);
      await new Promise((resolve) => (monitor.exitCode !== null ? resolve(null) : monitor.once('exit', resolve)));
      assert.equal(monitor.exitCode, 0);
      await assert.rejects(stat(path.join(folder, 'port.lock')));
      await assert.rejects(stat(path.join(folder, 'monitor.lock')));
      assert.equal((await runCli(['stop', '--home', folder])).code, 3);
    } finally {
      monitor.kill('SIGKILL');
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('SIGTERM during a job: the job ends with service-stopping, the pages so far are kept', async () => {
    const folder = await tempHome();
    const child = spawn(process.execPath, [BIN, 'run', '--home', folder, '--quiet', ...freeFlags], { stdio: 'ignore' });
    try {
      const up = await waitForService(folder);
      const session = ((await rpc(up.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      const job = (await rpc(up.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 50, pageDelay: 100 } } }, session)).body.result![0] as JobInfo;
      let seen = 0;
      while (seen < 3) seen = ((await rpc(up.base, 'f', 'GetJob', { job: job.id }, session)).body.result![0] as JobInfo).pages;
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 0);
      const again = spawn(process.execPath, [BIN, 'run', '--home', folder, '--quiet', ...freeFlags], { stdio: 'ignore' });
      try {
        const next = await waitForService(folder, up.pid);
        const info = (await rpc(next.base, 'f', 'GetJob', { job: job.id }, session)).body.result![0] as JobInfo;
        assert.equal(info.state, 'failed');
        assert.equal(info.error?.code, 'service-stopping');
        assert.deepEqual((await rpc(next.base, 'f', 'GetImageCount', {}, session)).body.result, [info.pages]);
      } finally {
        again.kill('SIGTERM');
        await new Promise((resolve) => again.once('exit', resolve));
      }
    } finally {
      child.kill('SIGKILL');
      await rm(folder, { recursive: true, force: true });
    }
  });
});
