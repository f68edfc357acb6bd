/** Scan jobs with the demo scanner through the API: pages land in the buffer as they arrive; errors are typed; earlier pages stay. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { JobInfo, PageInfo } from '@scanbridge/protocol';
import { startInProcess, rpc, tokenFor, type InProcess } from '../test-support/service-harness.js';

describe('scan jobs', () => {
  let svc: InProcess;
  let session: string;
  const call = async (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const waitJob = async (job: string) => {
    for (;;) {
      const res = await call('WaitJob', { job, timeout: 30 });
      const info = res.body.result![0] as JobInfo;
      if (info.state !== 'running') return info;
    }
  };

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(() => svc.close());

  it('lists the demo scanner and its capabilities', async () => {
    const devices = (await rpc(svc.base, 'fa', 'ListDevices', {})).body.result![0] as Array<{ id: string }>;
    assert.ok(devices.some((d) => d.id === 'demo:scanner'));
    const caps = (await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'demo:scanner' })).body.result![0] as { sources: string[]; duplex: boolean };
    assert.deepEqual(caps.sources.sort(), ['feeder', 'flatbed']);
    assert.equal(caps.duplex, true);
    const unknown = await rpc(svc.base, 'fa', 'GetCapabilities', { device: 'demo:nothing' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error!.code, 'unknown-device');
  });

  it('a duplex feeder job puts every page into the buffer in order, with job events on the WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    const events: Array<{ event: string; data: { type?: string; action?: string; index?: number } }> = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    const start = await call('StartScan', { device: 'demo:scanner', settings: { source: 'feeder', duplex: true, dpi: 75, mode: 'gray', options: { sheets: 3 } } });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    const job = start.body.result![0] as JobInfo;
    const done = await waitJob(job.id);
    assert.equal(done.state, 'done');
    assert.equal(done.pages, 6);
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(pages.map((p) => p.id), done.pageIds);
    assert.ok(pages.every((p) => p.mode === 'gray' && p.xdpi === 75 && p.tags.includes(`job:${job.id}`)));
    await new Promise((r) => setTimeout(r, 100));
    const types = events.filter((e) => e.event === 'job').map((e) => e.data.type);
    assert.equal(types[0], 'started');
    assert.equal(types.at(-1), 'done');
    assert.equal(types.filter((t) => t === 'page').length, 6);
    assert.ok(types.includes('progress'));
    assert.deepEqual(events.filter((e) => e.event === 'job' && e.data.type === 'page').map((e) => e.data.index), [0, 1, 2, 3, 4, 5]);
    assert.equal(events.filter((e) => e.event === 'buffer' && e.data.action === 'add').length, 6);
    ws.close();
    await call('RemoveAllImages');
  });

  it('a paper jam fails the job with paper-jam and keeps the pages scanned before', async () => {
    const job = (await call('StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 5, jamAfter: 2 } } })).body.result![0] as JobInfo;
    const ended = await waitJob(job.id);
    assert.equal(ended.state, 'failed');
    assert.equal(ended.error?.code, 'paper-jam');
    assert.equal(ended.pages, 2);
    assert.deepEqual((await call('GetImageCount')).body.result, [2]);
    await call('RemoveAllImages');
  });

  it('cancel stops a running job; pages already acquired stay; a busy device is refused meanwhile', async () => {
    const job = (await call('StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 50, pageDelay: 200 } } })).body.result![0] as JobInfo;
    const busy = await call('StartScan', { device: 'demo:scanner', settings: { dpi: 75 } });
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error!.code, 'device-busy');
    await new Promise((r) => setTimeout(r, 500));
    const cancelled = (await call('CancelJob', { job: job.id })).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.pages < 50);
    assert.deepEqual((await call('GetImageCount')).body.result, [cancelled.pages]);
    await call('RemoveAllImages');
  });

  it('invalid settings and unknown devices are typed errors before anything starts', async () => {
    const dpi = await call('StartScan', { device: 'demo:scanner', settings: { dpi: 123 } });
    assert.equal(dpi.status, 400);
    assert.equal(dpi.body.error!.code, 'invalid-settings');
    const flatbedDuplex = await call('StartScan', { device: 'demo:flatbed', settings: { source: 'feeder' } });
    assert.equal(flatbedDuplex.body.error!.code, 'invalid-settings');
    const badType = await call('StartScan', { device: 'demo:scanner', settings: { dpi: 'high' } });
    assert.equal(badType.body.error!.code, 'invalid-params');
    assert.match(badType.body.error!.message, /params\.settings\.dpi/);
    const unknown = await call('StartScan', { device: 'nosuch:device', settings: {} });
    assert.equal(unknown.body.error!.code, 'unknown-device');
    const job = await call('GetJob', { job: 'nope' });
    assert.equal(job.body.error!.code, 'unknown-job');
  });
});
