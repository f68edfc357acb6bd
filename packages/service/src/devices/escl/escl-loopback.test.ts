/**
 * Our eSCL client scans from our eSCL server over loopback, through the
 * normal API: an "office" service shares its demo scanner, a "desk" service
 * lists it by URL (EsclScanners) and scans from it: capabilities, a duplex feeder batch whose JPEG
 * pages go into the buffer as sent, line art as 1-bit PNG, cancel mid-batch,
 * busy and refused settings.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Capabilities, DeviceInfo, JobInfo, PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { until } from '../../test-support/until.js';

describe('our eSCL client scans from our eSCL server', () => {
  let office: InProcess;
  let desk: InProcess;
  let device: string;
  let session: string;
  const call = (method: string, params: object = {}) => rpc(desk.base, 'f', method, params, session);
  const waitJob = async (id: string): Promise<JobInfo> => {
    for (;;) {
      const info = (await call('WaitJob', { job: id, timeout: 30 })).body.result![0] as JobInfo;
      if (info.state !== 'running') return info;
    }
  };
  const scan = async (settings: object): Promise<JobInfo> => {
    const res = await call('StartScan', { device, settings });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return waitJob((res.body.result![0] as JobInfo).id);
  };

  before(async () => {
    office = await startInProcess({ 'escl-server': 'on', 'escl-share': 'demo:scanner', 'escl-port': '0', 'escl-bind-address': '127.0.0.1', 'demo-feeder-sheets': '3' });
    // Listed by URL, as an administrator lists a scanner of another subnet (EsclScanners).
    const url = `${office.service.escl!.url}/eSCL`;
    desk = await startInProcess({ 'demo-scanner': 'false', 'escl-scanners': url });
    device = `escl:${url}`;
    session = ((await rpc(desk.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await desk.close();
    await office.close();
  });

  it('lists the network scanner and maps its capabilities to the normalized model', async () => {
    const devices = (await rpc(desk.base, 'fa', 'ListDevices', { refresh: true })).body.result![0] as DeviceInfo[];
    assert.deepEqual(devices.map((d) => [d.id, d.driver, d.name]), [[device, 'escl', new URL(device.slice(5)).host]]);
    const caps = (await rpc(desk.base, 'fa', 'GetCapabilities', { device })).body.result![0] as Capabilities;
    const direct = (await rpc(office.base, 'fa', 'GetCapabilities', { device: 'demo:scanner' })).body.result![0] as Capabilities;
    assert.deepEqual(caps.sources, direct.sources);
    assert.equal(caps.duplex, true);
    assert.deepEqual(caps.colorModes, direct.colorModes);
    assert.deepEqual(caps.resolutions, direct.resolutions);
    assert.deepEqual(caps.maxArea, { width: Math.round(direct.maxArea.width * 10) / 10, height: Math.round(direct.maxArea.height * 10) / 10 });
    assert.deepEqual(caps.options.find((o) => o.name === 'document-format')?.constraint, ['image/png', 'image/jpeg']);
  });

  it('a duplex feeder batch asked as JPEG: every side in the buffer as the server sent it', async () => {
    const job = await scan({ source: 'feeder', duplex: true, mode: 'color', dpi: 100, paper: 'A4', options: { 'document-format': 'image/jpeg' } });
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    assert.equal(job.pages, 6);
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual(pages.map((p) => [p.format, p.width, p.height, p.xdpi, p.mode]), Array(6).fill(['jpeg', 827, 1169, 100, 'color']));
    // The office kept nothing: no session there, and the scanner is idle.
    assert.equal(office.service.ctx.sessions.size, 0);
    const status = await (await fetch(`${office.service.escl!.url}/eSCL/ScannerStatus`)).text();
    assert.match(status, /<pwg:State>Idle<\/pwg:State>/);
  });

  it("without a format the server's first choice, lossless PNG; line art as a 1-bit PNG", async () => {
    await call('RemoveAllImages');
    const gray = await scan({ source: 'flatbed', mode: 'gray', dpi: 75, paper: 'A5' });
    assert.equal(gray.state, 'done', JSON.stringify(gray.error));
    assert.deepEqual(((await call('GetImagesInfo')).body.result![0] as PageInfo[]).map((p) => [p.format, p.bitDepth, p.mode]), [['png', 8, 'gray']]);
    await call('RemoveAllImages');
    const job = await scan({ source: 'flatbed', mode: 'bw', dpi: 150, paper: 'A5' });
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    const [page] = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.deepEqual([page!.format, page!.bitDepth, page!.mode, page!.width, page!.height], ['png', 1, 'bw', 874, 1240]);
  });

  it('cancel mid-batch keeps the pages received and frees the shared scanner', async () => {
    await call('RemoveAllImages');
    const started = await call('StartScan', { device, settings: { source: 'feeder', duplex: true, mode: 'color', dpi: 300, paper: 'A4' } });
    const id = (started.body.result![0] as JobInfo).id;
    // A poll that meets a connection the service just closed asks again (a busy machine).
    await until(async () => call('GetJob', { job: id }).then((r) => (r.body.result![0] as JobInfo).pages, () => 0), (n) => n >= 1);
    const cancelled = (await call('CancelJob', { job: id })).body.result![0] as JobInfo;
    assert.equal(cancelled.state, 'cancelled');
    assert.ok(cancelled.pages >= 1 && cancelled.pages < 6, `pages: ${cancelled.pages}`);
    assert.equal(((await call('GetImagesInfo')).body.result![0] as PageInfo[]).length, cancelled.pages);
    // The office's scanner is free again at once (the client deleted its job there).
    await until(async () => fetch(`${office.service.escl!.url}/eSCL/ScannerStatus`).then((r) => r.text(), () => ''), (text) => text.includes('<pwg:State>Idle</pwg:State>'));
    const officeSession = ((await rpc(office.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const local = await rpc(office.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { dpi: 75 } }, officeSession);
    assert.equal(local.status, 200, JSON.stringify(local.body));
    await rpc(office.base, 'f', 'WaitJob', { job: (local.body.result![0] as JobInfo).id, timeout: 30 }, officeSession);
    await rpc(office.base, 'f', 'CloseSession', {}, officeSession);
  });

  it('a shared scanner in use at the office is device-busy for the desk; settings it cannot do are invalid-settings', async () => {
    const officeSession = ((await rpc(office.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const local = await rpc(office.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 3, pageDelay: 60000 } } }, officeSession);
    assert.equal(local.status, 200, JSON.stringify(local.body));
    const busy = await scan({ source: 'flatbed', dpi: 75 });
    assert.equal(busy.state, 'failed');
    assert.equal(busy.error!.code, 'device-busy');
    await rpc(office.base, 'f', 'CancelJob', { job: (local.body.result![0] as JobInfo).id }, officeSession);
    await rpc(office.base, 'f', 'CloseSession', {}, officeSession);

    const refused = await call('StartScan', { device, settings: { dpi: 123 } });
    assert.equal(refused.body.error!.code, 'invalid-settings');
    assert.equal(refused.body.error!.message, `dpi 123 is not offered by ${device}; allowed: 75, 100, 150, 200, 300, 400, 600`);
    const unknown = await call('StartScan', { device: 'escl:nowhere', settings: {} });
    assert.equal(unknown.body.error!.code, 'unknown-device');
  });
});
