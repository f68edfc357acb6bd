/**
 * SANE scanning through a real service process, its device workers
 * inheriting SANE_CONFIG_DIR: feeder jobs into the buffer with progress
 * events, cancel, a worker killed mid-job, a device unplugged mid-job, bad
 * input, workers stopping with their session, and libsane missing.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Capabilities, JobInfo, PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, tempHome, type ChildService } from '../../test-support/service-harness.js';
import { VERSION_CODE } from '../../version.js';
import { createTestBackend, type TestBackend } from './test-backend.js';
import { alive, saneWorkers } from './test-helpers.js';

/** A feeder job whose pages take a while each (the test backend pauses after every block of about 64 KB). */
const SLOW_FEEDER = { source: 'feeder', mode: 'gray', dpi: 100, paper: { width: 100, height: 100 }, options: { 'read-delay': true, 'read-delay-duration': 150000 } };

describe('SANE through the service', () => {
  let backend: TestBackend;
  let svc: ChildService;
  let home: string;
  let session: string;
  const call = (method: string, params: object = {}, id = session) => rpc(svc.base, 'f', method, params, id);
  const job = async (id: string, s = session): Promise<JobInfo> => (await call('GetJob', { job: id }, s)).body.result![0] as JobInfo;
  const waitJob = async (id: string, s = session): Promise<JobInfo> => {
    for (;;) {
      const info = (await call('WaitJob', { job: id, timeout: 30 }, s)).body.result![0] as JobInfo;
      if (info.state !== 'running') return info;
    }
  };
  const start = async (device: string, settings: object, s = session): Promise<JobInfo> => {
    const res = await call('StartScan', { device, settings }, s);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.result![0] as JobInfo;
  };
  const count = async (s = session): Promise<number> => (await call('GetImageCount', {}, s)).body.result![0] as number;
  const workers = () => saneWorkers(svc.child.pid!);

  before(async () => {
    backend = await createTestBackend();
    home = await tempHome();
    svc = await startChild(home, [], backend.env);
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
    await backend.remove();
  });

  it('lists the SANE devices beside the demo scanner, with their capabilities', async () => {
    const devices = (await rpc(svc.base, 'fa', 'ListDevices', { refresh: true })).body.result![0] as { id: string; driver: string }[];
    assert.deepEqual(devices.filter((d) => d.driver === 'sane').map((d) => d.id), ['sane:test:0', 'sane:test:1']);
    assert.ok(devices.some((d) => d.id === 'demo:scanner'));
    const caps = (await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'sane:test:0' })).body.result![0] as Capabilities;
    assert.deepEqual(caps.sources, ['flatbed', 'feeder']);
    assert.deepEqual(caps.colorModes, ['bw', 'gray', 'color']);
    // Raw options say which normalized setting drives them; the rest are reachable through `options` only.
    const setBy = Object.fromEntries(caps.options.filter((o) => o.setBy !== null).map((o) => [o.name, o.setBy]));
    assert.deepEqual(setBy, { mode: 'mode', depth: 'mode', resolution: 'dpi', source: 'source', 'tl-x': 'paper', 'tl-y': 'paper', 'br-x': 'paper', 'br-y': 'paper' });
    assert.equal(caps.options.find((o) => o.name === 'test-picture')?.setBy, null);
    const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as { drivers: { name: string; available: boolean }[] };
    assert.deepEqual(info.drivers.find((d) => d.name === 'sane'), { name: 'sane', available: true, reason: null });
  });

  it('a feeder job puts every page into the buffer as it arrives, with progress in bytes and lines, and thumbnails', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}`, { headers: adminHeaders(svc.base) });
    const events: { type: string; bytes?: number; lines?: number; page?: number }[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event: string; data: { type: string } };
      if (m.event === 'job') events.push(m.data);
    });
    await new Promise((resolve) => ws.once('open', resolve));
    const started = await start('sane:test:1', { source: 'feeder', mode: 'color', dpi: 75, paper: 'A5', options: { 'test-picture': 'Color pattern' } });
    const done = await waitJob(started.id);
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    assert.equal(done.pages, 10);
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(pages.map((p) => p.id), done.pageIds);
    // A5 at 75 dpi: 148 x 210 mm.
    assert.ok(pages.every((p) => p.width === 437 && p.height === 620 && p.mode === 'color' && p.bitDepth === 8 && p.xdpi === 75 && p.format === 'png'));
    const thumb = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=9&width=100&height=100`, { headers: adminHeaders(svc.base) });
    assert.equal(thumb.status, 200);
    assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
    await sleep(100);
    ws.close();
    assert.equal(events.filter((e) => e.type === 'page').length, 10);
    const last = events.filter((e) => e.type === 'progress' && e.page === 10).at(-1);
    assert.deepEqual([last?.bytes, last?.lines], [437 * 620 * 3, 620]);
    await call('RemoveAllImages');
  });

  it('CancelJob stops a scan mid-page; the device scans again afterwards', async () => {
    const started = await start('sane:test:0', { ...SLOW_FEEDER, source: 'flatbed', dpi: 300 });
    while ((await job(started.id)).state === 'running' && (await workers()).length === 0) await sleep(20);
    await sleep(300);
    const cancelled = (await call('CancelJob', { job: started.id })).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.equal(cancelled.error?.code, 'job-cancelled');
    const next = await waitJob((await start('sane:test:0', { mode: 'gray', dpi: 50, paper: 'A5' })).id);
    assert.equal(next.state, 'done');
    await call('RemoveAllImages');
  });

  it('a worker killed with SIGKILL mid-job fails the job with driver-crashed; earlier pages stay; the next scan works', async () => {
    const started = await start('sane:test:0', SLOW_FEEDER);
    while ((await job(started.id)).pages < 1) await sleep(20);
    const pids = await saneWorkers(svc.child.pid!, 'sane:test:0');
    assert.equal(pids.length, 1);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const failed = await waitJob(started.id);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.error?.code, 'driver-crashed');
    assert.match(failed.error?.message ?? '', /^the SANE worker of sane:test:0 \(pid \d+\) was killed by SIGKILL during scan; scanbridge is still running, scan again/);
    assert.ok(failed.pages >= 1);
    assert.equal(await count(), failed.pages, 'pages acquired before the crash are in the buffer');
    const next = await waitJob((await start('sane:test:0', { mode: 'color', dpi: 50, paper: 'A5' })).id);
    assert.equal(next.state, 'done');
    assert.equal(await count(), failed.pages + 1);
    await call('RemoveAllImages');
  });

  it('a device unplugged mid-job ends the job with device-gone at the next device list; earlier pages stay', async () => {
    const started = await start('sane:test:1', SLOW_FEEDER);
    while ((await job(started.id)).pages < 1) await sleep(20);
    await backend.setDevices(1);
    try {
      const devices = (await rpc(svc.base, 'fa', 'ListDevices', { refresh: true })).body.result![0] as { id: string }[];
      assert.ok(!devices.some((d) => d.id === 'sane:test:1'));
      const failed = await waitJob(started.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error?.code, 'device-gone');
      assert.ok(failed.pages >= 1);
      assert.equal(await count(), failed.pages);
      const gone = await call('StartScan', { device: 'sane:test:1', settings: { mode: 'gray' } });
      assert.equal(gone.status, 404);
      assert.equal(gone.body.error?.code, 'unknown-device');
    } finally {
      await backend.setDevices(2);
      await rpc(svc.base, 'fa', 'ListDevices', { refresh: true });
    }
    await call('RemoveAllImages');
  });

  it('bad input gets a typed error and the buffer stays intact', async () => {
    const kept = await waitJob((await start('sane:test:0', { mode: 'gray', dpi: 50, paper: 'A5' })).id);
    assert.equal(kept.state, 'done');
    const cases: [object, number, string, RegExp][] = [
      [{ device: 'sane:nothing:7', settings: {} }, 404, 'unknown-device', /^unknown device "sane:nothing:7"; SANE devices: sane:test:0, sane:test:1$/],
      [{ device: 'sane:test:0', settings: { options: { speed: 'fast' } } }, 400, 'invalid-settings', /^option "speed" of sane:test:0 does not exist; options: /],
      [{ device: 'sane:test:0', settings: { options: { 'ppl-loss': 500 } } }, 400, 'invalid-settings', /^option "ppl-loss" of sane:test:0 must be from 0 to 128 px in steps of 1; got 500$/],
      [{ device: 'sane:test:0', settings: { dpi: 4800 } }, 400, 'invalid-settings', /^dpi 4800 is not supported by sane:test:0; allowed: 1 to 1200 in steps of 1$/],
      [{ device: 'sane:test:0', settings: { source: 'feeder', duplex: true } }, 400, 'invalid-settings', /^duplex is not supported by sane:test:0; allowed: false$/],
    ];
    for (const [params, status, code, message] of cases) {
      const res = await call('StartScan', params);
      assert.equal(res.status, status, JSON.stringify(res.body));
      assert.equal(res.body.error?.code, code);
      assert.match(res.body.error?.message ?? '', message);
    }
    const jammed = await waitJob((await start('sane:test:0', { mode: 'gray', dpi: 50, paper: 'A5', options: { 'read-return-value': 'SANE_STATUS_JAMMED' } })).id);
    assert.equal(jammed.error?.code, 'paper-jam');
    assert.equal(await count(), 1, 'the page scanned before is still there');
    await call('RemoveAllImages');
  });

  it('closing a session stops the workers of the devices only it used', async () => {
    const own = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    assert.equal((await waitJob((await start('sane:test:1', { mode: 'gray', dpi: 50, paper: 'A5' })).id)).state, 'done');
    assert.equal((await waitJob((await start('sane:test:0', { mode: 'gray', dpi: 50, paper: 'A5' }, own)).id, own)).state, 'done');
    const [zero] = await saneWorkers(svc.child.pid!, 'sane:test:0');
    const [one] = await saneWorkers(svc.child.pid!, 'sane:test:1');
    assert.ok(zero && one);
    // The first session scanned with both devices; `own` still uses test:0.
    await rpc(svc.base, 'f', 'CloseSession', {}, session);
    while (alive(one)) await sleep(20);
    assert.ok(alive(zero));
    await rpc(svc.base, 'f', 'CloseSession', {}, own);
    while (alive(zero)) await sleep(20);
    assert.deepEqual(await workers(), []);
  });
});

describe('SANE through the service without libsane', () => {
  it('the service runs and reports the sane driver unavailable, naming libsane1', async () => {
    const home = await tempHome();
    const svc = await startChild(home, ['--sane-library', 'libsane-missing.so.9']);
    try {
      const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as { drivers: { name: string; available: boolean; reason: string | null }[] };
      const sane = info.drivers.find((d) => d.name === 'sane');
      assert.equal(sane?.available, false);
      assert.match(sane?.reason ?? '', /libsane-missing\.so\.9.*install the libsane1 package/);
      const devices = (await rpc(svc.base, 'fa', 'ListDevices', {})).body.result![0] as { id: string }[];
      assert.ok(devices.some((d) => d.id === 'demo:scanner'));
      assert.ok(!devices.some((d) => d.id.startsWith('sane:')));
      const caps = await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'sane:test:0' });
      assert.equal(caps.status, 409);
      assert.equal(caps.body.error?.code, 'driver-unavailable');
      assert.match(caps.body.error?.message ?? '', /libsane1/);
    } finally {
      await svc.stop();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('SANE devices plugged in and removed', () => {
  it('pages get a devices event when a look finds other scanners: periodically while connected, and on ListDevices', async () => {
    const backend = await createTestBackend(1);
    const home = await tempHome();
    const svc = await startChild(home, ['--device-list-interval', '1'], backend.env);
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}`, { headers: adminHeaders(svc.base) });
    const lists: string[][] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { event: string; data: { devices: string[] } };
      if (m.event !== 'devices') return;
      lists.push(m.data.devices);
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (test: (ids: string[]) => boolean): Promise<string[]> => {
      for (;;) {
        const found = lists.find(test);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    };
    try {
      await new Promise((resolve) => ws.once('open', resolve));
      const first = (await rpc(svc.base, 'fa', 'ListDevices', {})).body.result![0] as { id: string }[];
      assert.deepEqual(first.filter((d) => d.id.startsWith('sane:')).map((d) => d.id), ['sane:test:0']);

      // A second scanner is plugged in: the periodic look finds it without anyone asking.
      await backend.setDevices(2);
      const plugged = await next((ids) => ids.includes('sane:test:1'));
      assert.deepEqual(plugged.filter((id) => id.startsWith('sane:')).sort(), ['sane:test:0', 'sane:test:1']);
      assert.ok(plugged.includes('demo:scanner'));

      // One is removed; a page that lists devices with refresh sees it, and every page is told.
      await backend.setDevices(1);
      const refreshed = await rpc(svc.base, 'fa', 'ListDevices', { refresh: true });
      const listed = (refreshed.body.result![0] as { id: string }[]).map((d) => d.id);
      assert.deepEqual(listed.filter((id) => id.startsWith('sane:')), ['sane:test:0']);
      assert.deepEqual(await next((ids) => ids.includes('sane:test:0') && !ids.includes('sane:test:1')), listed);

      // The test backend with no devices crashes its discovery (SIGSEGV, as scanimage -L does):
      // the other scanners are still listed, the SANE ones as last seen, and the failure is reported.
      await backend.setDevices(0);
      const crashed = await rpc(svc.base, 'fa', 'ListDevices', { refresh: true });
      assert.equal(crashed.status, 200, JSON.stringify(crashed.body));
      assert.deepEqual((crashed.body.result![0] as { id: string }[]).map((d) => d.id), listed);
      const info = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as { drivers: { name: string; available: boolean; reason: string | null }[] };
      assert.match(info.drivers.find((d) => d.name === 'sane')?.reason ?? '', /^the last look for devices failed: .*SIGSEGV/);
      await backend.setDevices(1);
      await rpc(svc.base, 'fa', 'ListDevices', { refresh: true });
      const healed = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as typeof info;
      assert.equal(healed.drivers.find((d) => d.name === 'sane')?.reason, null);
    } finally {
      ws.close();
      await svc.stop();
      await rm(home, { recursive: true, force: true });
      await backend.remove();
    }
  });
});
