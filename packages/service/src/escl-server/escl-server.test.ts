/**
 * The eSCL server as an administrator and a hostile client see it: off by
 * default; only eSCL resources (never the API); ScanSettings with a DTD,
 * entities, oversized or malformed refused; a request from a web page
 * (Origin) refused; networks outside EsclAllowedNetworks refused; TLS with
 * the service's certificate; the TXT values for the mDNS advertisement.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';
import { request } from '../test-support/net.js';
import { certificatePaths } from '../security/certificate.js';
import { ESCL_NS } from '../devices/escl/xml-parse.js';
import { scanSettingsXml } from '../devices/escl/escl-model.js';
import { allowList } from './network-allow.js';

const settingsXml = (over: object = {}) => scanSettingsXml({ version: '2.0', inputSource: 'Platen', duplex: false, colorMode: 'Grayscale8', xResolution: 75, yResolution: 75, documentFormat: 'image/png', region: { x: 0, y: 0, width: 300, height: 300 }, ...over });

describe('the eSCL server', () => {
  let svc: InProcess;
  let base: string;
  const post = (body: string, headers: Record<string, string> = {}) => request(`${base}/eSCL/ScanJobs`, { method: 'POST', body, headers: { 'content-type': 'text/xml', ...headers }, anonymous: true });

  before(async () => {
    svc = await startInProcess({ 'escl-server': 'on', 'escl-share': 'demo:scanner;demo:flatbed', 'escl-port': '0', 'escl-bind-address': '127.0.0.1' });
    base = svc.service.escl!.url;
  });
  after(() => svc.close());

  it('is off by default', async () => {
    const plain = await startInProcess();
    try {
      assert.equal(plain.service.escl, null);
    } finally {
      await plain.close();
    }
  });

  it('serves eSCL resources only: the API, sessions and pages are not there', async () => {
    for (const p of ['/fa/VersionInfo', '/f/GetImagesInfo', '/ws', '/demo', '/dwt/dwt_0100001/img', '/eSCL/../fa/ListDevices']) {
      const res = await request(`${base}${p}`, { anonymous: true });
      assert.equal(res.status, 404, p);
    }
    const caps = await request(`${base}/eSCL-2/ScannerCapabilities`, { anonymous: true });
    assert.equal(caps.status, 200);
    assert.match(caps.body.toString(), /<pwg:MakeAndModel>scanbridge Demo Flatbed<\/pwg:MakeAndModel>/);
    assert.doesNotMatch(caps.body.toString(), /<scan:Adf>/);
  });

  it('a full job by hand: 201 Location, the page as PNG, ScanImageInfo, then 404 and DELETE', async () => {
    const created = await post(settingsXml());
    assert.equal(created.status, 201, created.body.toString());
    const location = new URL(String(created.headers.location));
    assert.match(location.pathname, /^\/eSCL\/ScanJobs\/[0-9a-f-]{36}$/);
    const page = await request(`${base}${location.pathname}/NextDocument`, { anonymous: true });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'image/png');
    assert.equal(page.body.readUInt32BE(16), 75);
    const info = await request(`${base}${location.pathname}/ScanImageInfo`, { anonymous: true });
    assert.match(info.body.toString(), /<scan:ActualWidth>75<\/scan:ActualWidth>/);
    assert.equal((await request(`${base}${location.pathname}/NextDocument`, { anonymous: true })).status, 404);
    assert.equal((await request(`${base}${location.pathname}`, { method: 'DELETE', anonymous: true })).status, 200);
    const status = (await request(`${base}/eSCL/ScannerStatus`, { anonymous: true })).body.toString();
    assert.match(status, /<pwg:JobState>Completed<\/pwg:JobState>/);
  });

  it('ScanSettings with a DTD, an entity, malformed, oversized or asking what the device lacks are refused', async () => {
    const dtd = `<?xml version="1.0"?><!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><scan:ScanSettings xmlns:scan="${ESCL_NS}">&x;</scan:ScanSettings>`;
    const refused = await post(dtd);
    assert.equal(refused.status, 400);
    assert.match(refused.body.toString(), /^ScanSettings refused: the document has a document type declaration/);
    assert.equal((await post(settingsXml().replace('Grayscale8', '&ent;'))).status, 400);
    assert.equal((await post('<scan:ScanSettings')).status, 400);
    assert.equal((await post(`<x>${'a'.repeat(70_000)}</x>`)).status, 413);
    const wrong = await post(settingsXml({ xResolution: 123, yResolution: 123 }));
    assert.equal(wrong.status, 409);
    assert.match(wrong.body.toString(), /^XResolution 123 is not offered \(75, 100, 150, 200, 300, 400, 600\)/);
    assert.equal((await post(settingsXml({ documentFormat: 'image/tiff' }))).status, 409);
    // Nothing was started by any of them.
    assert.equal(svc.service.ctx.devices.held('demo:scanner'), false);
  });

  it('a request carrying Origin (a web page) is refused', async () => {
    const res = await post(settingsXml(), { origin: 'https://evil.example' });
    assert.equal(res.status, 403);
    assert.equal(svc.service.ctx.devices.held('demo:scanner'), false);
  });

  it('allowed networks: loopback always, the listed networks, nothing else', () => {
    const allowed = allowList(['192.168.1.0/24', 'fd00::/8']);
    assert.deepEqual(
      ['127.0.0.1', '::1', '::ffff:127.0.0.1', '192.168.1.77', '::ffff:192.168.1.5', 'fd12::1', '192.168.2.1', '10.0.0.1', 'fe80::1', '8.8.8.8', undefined].map((a) => allowed(a)),
      [true, true, true, true, true, true, false, false, false, false, false],
    );
  });

  it('gives the mDNS advertiser the TXT values clients read', async () => {
    const [first, second] = await svc.service.escl!.txtRecords();
    assert.deepEqual({ ...first!.txt, uuid: 'u', adminurl: 'a', representation: 'r' }, {
      txtvers: '1', Vers: '2.63', rs: 'eSCL', ty: 'scanbridge Demo Scanner', pdl: 'image/png,image/jpeg,application/pdf', uuid: 'u', cs: 'binary,grayscale,color', is: 'platen,adf', duplex: 'T', adminurl: 'a', representation: 'r',
    });
    // The uuid the service folder keeps (escl-uuids.json), the same in the capabilities clients read.
    const uuids = JSON.parse(await readFile(path.join(svc.home, 'escl-uuids.json'), 'utf8')) as Record<string, string>;
    assert.equal(first!.txt['uuid'], uuids['demo:scanner']);
    assert.match((await request(`${base}/eSCL/ScannerCapabilities`, { anonymous: true })).body.toString(), new RegExp(`<scan:UUID>${uuids['demo:scanner']}</scan:UUID>`));
    assert.equal(second!.txt['rs'], 'eSCL-2');
    assert.equal(second!.txt['duplex'], 'F');
    assert.equal(first!.secure, false);
    const icon = await request(first!.txt['representation']!, { anonymous: true });
    assert.equal(icon.headers['content-type'], 'image/png');
    assert.equal(icon.body.readUInt32BE(16), 128);
  });
});

describe('the eSCL server with TLS', () => {
  let svc: InProcess;
  before(async () => {
    svc = await startInProcess({ 'escl-server': 'on', 'escl-share': 'demo:flatbed', 'escl-port': '0', 'escl-bind-address': '127.0.0.1', 'escl-tls': 'on' });
  });
  after(() => svc.close());

  it("answers over HTTPS with the service's certificate", async () => {
    assert.match(svc.service.escl!.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = await readFile(certificatePaths(path.join(svc.home, 'cert')).caCert, 'utf8');
    const res = await request(`${svc.service.escl!.url}/eSCL/ScannerStatus`, { ca, anonymous: true });
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /<pwg:State>Idle<\/pwg:State>/);
    const [record] = await svc.service.escl!.txtRecords();
    assert.equal(record!.secure, true);
    assert.match(record!.txt['adminurl']!, /^https:/);
  });

  it('our client scans from it over HTTPS, its certificate pinned on first use', async () => {
    const url = `${svc.service.escl!.url}/eSCL`;
    const desk = await startInProcess({ 'demo-scanner': 'false', 'escl-scanners': url });
    try {
      const caps = await rpc(desk.base, 'fa', 'GetCapabilities', { device: `escl:${url}` });
      assert.equal(caps.status, 200, JSON.stringify(caps.body));
      const pins = JSON.parse(await readFile(path.join(desk.home, 'escl-pins.json'), 'utf8')) as Record<string, { fingerprint: string }>;
      assert.equal(Object.values(pins).length, 1);
      const session = ((await rpc(desk.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      let job = (await rpc(desk.base, 'f', 'StartScan', { device: `escl:${url}`, settings: { dpi: 75, mode: 'gray', paper: 'A5' } }, session)).body.result![0] as JobInfo;
      while (job.state === 'running') job = (await rpc(desk.base, 'f', 'WaitJob', { job: job.id, timeout: 30 }, session)).body.result![0] as JobInfo;
      assert.equal(job.state, 'done', JSON.stringify(job.error));
      assert.equal(job.pages, 1);
    } finally {
      await desk.close();
    }
  });
});
