/**
 * sane-airscan (Debian's eSCL backend for SANE) scans from our eSCL server
 * through scanimage: a flatbed page and the SANE test backend's 10-page
 * feeder, grey and colour at 150 and 300 dpi, pixel for pixel as scanimage
 * reads the same device directly; the demo scanner's duplex feeder; an empty
 * feeder and a jam reaching scanimage as SANE's own errors; a scanner in use
 * by a page answering busy to the network and the reverse.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';
import { createTestBackend, type TestBackend, type TestConfOverrides } from '../devices/sane/test-backend.js';
import { DemoDriver } from '../devices/demo/demo-driver.js';
import { recordingSink, settings } from '../devices/demo/test-helpers.js';
import { sharp } from '../imaging/sharp.js';
import { airscanClient, readPnm, scanimage, type AirscanClient } from './test-airscan.js';
import { until } from '../test-support/until.js';

/** A device a little larger than the 4 x 4 inches scanned: whole pixels at every resolution, and whole 1/300 inch in eSCL. */
const DEVICE: TestConfOverrides = { geometry_max: '110', geometry_quant: '0.0', 'test-picture': '"Color pattern"' };
const FOUR_INCHES = ['-l', '0', '-t', '0', '-x', '101.6', '-y', '101.6'];

interface Shared {
  backend: TestBackend;
  svc: InProcess;
  sane: AirscanClient;
  demo: AirscanClient;
}

async function share(overrides: TestConfOverrides, flags: Record<string, string> = {}): Promise<Shared> {
  const backend = await createTestBackend(1, { ...DEVICE, ...overrides });
  // The service's SANE workers inherit it (each test file runs in its own process).
  process.env['SANE_CONFIG_DIR'] = backend.dir;
  const svc = await startInProcess({ 'sane-scanners': 'true', 'escl-server': 'on', 'escl-share': 'sane:test:0;demo:scanner', 'escl-port': '0', 'escl-bind-address': '127.0.0.1', 'demo-feeder-sheets': '3', ...flags });
  const escl = svc.service.escl!;
  // The first capabilities start the SANE device worker: slow on a busy machine, and sane-airscan gives a device a few seconds.
  await Promise.all(['/eSCL', '/eSCL-2'].map(async (p) => (await fetch(`${escl.url}${p}/ScannerCapabilities`)).text()));
  return { backend, svc, sane: await airscanClient(`${escl.url}/eSCL`), demo: await airscanClient(`${escl.url}/eSCL-2`, 'demo') };
}

async function unshare(s: Shared): Promise<void> {
  await s.svc.close();
  await Promise.all([s.sane.remove(), s.demo.remove(), s.backend.remove()]);
}

describe('sane-airscan scans from the eSCL server', () => {
  let s: Shared;
  before(async () => (s = await share({})));
  after(() => unshare(s));

  for (const [mode, dpi] of [['Gray', 150], ['Color', 300]] as const) {
    it(`a flatbed page in ${mode} at ${dpi} dpi has the pixels of a direct scan`, async () => {
      const args = ['--mode', mode, '--resolution', String(dpi), ...FOUR_INCHES, '--format=pnm'];
      const viaEscl = await scanimage(s.sane.env, ['-d', s.sane.device, ...args]);
      assert.equal(viaEscl.code, 0, viaEscl.stderr);
      const direct = await scanimage(s.backend.env, ['-d', 'test:0', ...args]);
      assert.equal(direct.code, 0, direct.stderr);
      const a = readPnm(viaEscl.stdout);
      const b = readPnm(direct.stdout);
      assert.deepEqual([a.magic, a.width, a.height], [mode === 'Gray' ? 'P5' : 'P6', (dpi * 4), dpi * 4]);
      assert.deepEqual([b.magic, b.width, b.height], [a.magic, a.width, a.height]);
      assert.ok(a.data.equals(b.data), 'pixels differ from the direct scan');
    });
  }

  it("duplex from the demo scanner's feeder: both sides of its 3 sheets, as the demo driver renders them", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-airscan-duplex-'));
    try {
      const run = await scanimage(s.demo.env, ['-d', s.demo.device, '--source', 'ADF Duplex', '--mode', 'Gray', '--resolution', '75', '--batch=side%d.pnm', '--format=pnm'], dir);
      assert.equal(run.code, 0, run.stderr);
      const files = (await readdir(dir)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      assert.equal(files.length, 6);
      // The area sane-airscan asks for: the demo scanner's whole width and height, in 1/300 inch.
      const area = { x: 0, y: 0, width: (2550 / 300) * 25.4, height: (4200 / 300) * 25.4 };
      const sink = recordingSink();
      await new DemoDriver({ feederSheets: 3 }).scan('demo:scanner', settings({ source: 'feeder', duplex: true, mode: 'gray', dpi: 75, area }), sink, new AbortController().signal);
      assert.equal(sink.pages.length, 6);
      for (const [i, file] of files.entries()) {
        const got = readPnm(await readFile(path.join(dir, file)));
        const rendered = await sharp(sink.pages[i]!.bytes).metadata();
        // 2550/300 inch at 75 dpi is 637.5 pixels: the demo renders 638 columns, sane-airscan keeps the 637 it expects.
        assert.ok(Math.abs(rendered.width - got.width) <= 1 && Math.abs(rendered.height - got.height) <= 1, `${file}: ${got.width}x${got.height} vs ${rendered.width}x${rendered.height}`);
        const want = await sharp(sink.pages[i]!.bytes).extract({ left: 0, top: 0, width: got.width, height: got.height }).greyscale().raw().toBuffer({ resolveWithObject: true });
        assert.ok(got.data.equals(want.data), `${file}: pixels differ from the demo driver's side ${i + 1}`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a scanner in use by a page is busy for sane-airscan, and one in use over eSCL is busy for pages', async () => {
    const base = s.svc.base;
    const session = ((await rpc(base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    // A slow demo feeder job holds the scanner longer than sane-airscan retries a 503 (10 times, a second apart).
    const started = await rpc(base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 5, pageDelay: 4000 } } }, session);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const busy = await scanimage(s.demo.env, ['-d', s.demo.device, '--resolution', '75', '--format=pnm']);
    assert.notEqual(busy.code, 0);
    assert.match(busy.stderr, /Device busy/);
    const job = started.body.result![0] as JobInfo;
    await rpc(base, 'f', 'CancelJob', { job: job.id }, session);
    await rpc(base, 'f', 'WaitJob', { job: job.id, timeout: 30 }, session);

    // The reverse: while sane-airscan scans the feeder, StartScan on the same device is device-busy.
    const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-airscan-busy-'));
    try {
      const scanning = scanimage(s.sane.env, ['-d', s.sane.device, '--source', 'ADF', '--mode', 'Color', '--resolution', '300', '--batch=p%d.pnm', '--format=pnm'], dir);
      let ended = false;
      void scanning.finally(() => (ended = true));
      // Asked once sane-airscan's job holds the scanner (not before: a page's scan would make it the busy one).
      await until(async () => ended || s.svc.service.ctx.devices.held('sane:test:0'), Boolean);
      assert.equal(ended, false, 'sane-airscan ended before its job held the scanner');
      const refused = await rpc(base, 'f', 'StartScan', { device: 'sane:test:0', settings: { dpi: 50, mode: 'gray' } }, session);
      assert.equal(refused.body.error?.code, 'device-busy', JSON.stringify(refused.body));
      assert.match(refused.body.error!.message, /busy with a network \(eSCL\) client/);
      assert.equal((await scanning).code, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

// The test backend counts every scan of an open device toward its 10 sheets: each batch gets a fresh service.
for (const [mode, dpi] of [['Color', 150], ['Gray', 300]] as const) {
  describe(`a feeder batch in ${mode} at ${dpi} dpi`, () => {
    let s: Shared;
    before(async () => (s = await share({})));
    after(() => unshare(s));

    it(`the test backend's 10-page feeder in ${mode} at ${dpi} dpi, every page as scanned directly`, async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-airscan-batch-'));
      try {
        const args = ['--mode', mode, '--resolution', String(dpi), ...FOUR_INCHES, '--format=pnm'];
        const run = await scanimage(s.sane.env, ['-d', s.sane.device, '--source', 'ADF', '--batch=page%02d.pnm', ...args], dir);
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /Batch terminated, 10 pages scanned/);
        const files = (await readdir(dir)).sort();
        assert.equal(files.length, 10);
        const direct = readPnm((await scanimage(s.backend.env, ['-d', 'test:0', '--source', 'Automatic Document Feeder', ...args])).stdout);
        for (const file of files) {
          const page = readPnm(await readFile(path.join(dir, file)));
          assert.deepEqual([page.width, page.height], [direct.width, direct.height], file);
          assert.ok(page.data.equals(direct.data), `${file}: pixels differ from the direct scan`);
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  });
}

for (const [status, sane] of [['SANE_STATUS_NO_DOCS', /Document feeder out of documents/], ['SANE_STATUS_JAMMED', /Document feeder jammed/]] as const) {
  describe(`a feeder answering ${status}`, () => {
    let s: Shared;
    before(async () => (s = await share({ 'read-status-code': `"${status}"` })));
    after(() => unshare(s));

    it(`reaches scanimage through sane-airscan as "${sane.source}"`, async () => {
      const run = await scanimage(s.sane.env, ['-d', s.sane.device, '--source', 'ADF', '--resolution', '75', '--mode', 'Gray', '--format=pnm']);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, sane);
    });
  });
}
