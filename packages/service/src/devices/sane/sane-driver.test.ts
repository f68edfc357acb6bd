/**
 * The SANE driver through real libsane and SANE's `test` backend, in worker
 * processes: discovery, capabilities, every frame format compared pixel for
 * pixel with scanimage's output, the feeder, each error status, cancel, a
 * killed worker, a device that disappears, bad settings, and libsane missing.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ScanbridgeError, type ScanSettingsInput } from '@scanbridge/protocol';
import { sharp } from '../../imaging/sharp.js';
import { SaneDriver } from './sane-driver.js';
import { createTestBackend, type TestBackend } from './test-backend.js';
import { alive, decodePng, parsePnm, recordingSink, saneWorkers, scanimage, settings } from './test-helpers.js';
import { rejection } from '../../test-support/rejection.js';

const never = (): AbortSignal => new AbortController().signal;


describe('SANE driver with the test backend', () => {
  let backend: TestBackend;
  let driver: SaneDriver;

  before(async () => {
    backend = await createTestBackend();
    // Reads here take 0.2 s at most: a hang surfaces in seconds, not at the runner's 10-minute limit.
    driver = new SaneDriver({ env: { ...process.env, ...backend.env }, idleTimeoutMs: 60_000, readStallMs: 20_000, unresponsiveMs: 10_000 });
  });
  after(async () => {
    await driver.close();
    await backend.remove();
  });

  /**
   * Scan one flatbed page with `input` and return the sink. The test backend
   * cancels its reader thread at each page end, and very rarely (about one
   * full suite run in three, under load) its worker deadlocks in the C
   * library there; the driver then ends that worker (what "a device that
   * hangs" below checks), and the scan is tried once more on a fresh one, as
   * a user would. Any other outcome is the test's to judge.
   */
  const scan = async (device: string, input: ScanSettingsInput) => {
    const s = settings(input);
    for (let attempt = 1; ; attempt++) {
      await driver.validate(device, s);
      const sink = recordingSink();
      try {
        await driver.scan(device, s, sink, never());
        return sink;
      } catch (err) {
        const details = (err as ScanbridgeError).details;
        if (attempt > 1 || (details?.readStallMs === undefined && details?.unresponsiveMs === undefined)) throw err;
        console.error(`# the test backend's worker hung (${(err as Error).message}); scanning again`);
      }
    }
  };

  it('is available and lists the test devices with stable ids, vendor, model and type', async () => {
    assert.deepEqual(await driver.availability(), { available: true });
    const devices = await driver.list();
    assert.deepEqual(devices, [
      { id: 'sane:test:0', driver: 'sane', name: 'Noname frontend-tester', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' },
      { id: 'sane:test:1', driver: 'sane', name: 'Noname frontend-tester', vendor: 'Noname', model: 'frontend-tester', type: 'virtual device' },
    ]);
    assert.deepEqual(await driver.list(), devices);
  });

  it("maps the test backend's options to capabilities and lists every raw option", async () => {
    const caps = await driver.capabilities('sane:test:0');
    assert.deepEqual(
      { sources: caps.sources, duplex: caps.duplex, colorModes: caps.colorModes, bitDepths: caps.bitDepths, resolutions: caps.resolutions, maxArea: caps.maxArea, paperSizes: caps.paperSizes, brightness: caps.brightness, contrast: caps.contrast },
      {
        sources: ['flatbed', 'feeder'],
        duplex: false,
        colorModes: ['bw', 'gray', 'color'],
        bitDepths: [1, 8, 16],
        resolutions: { min: 1, max: 1200, step: 1 },
        maxArea: { width: 300, height: 300 },
        paperSizes: ['A4', 'A5', 'Letter'],
        brightness: null,
        contrast: null,
      },
    );
    const byName = new Map(caps.options.map((o) => [o.name, o]));
    assert.deepEqual(byName.get('mode'), { name: 'mode', title: 'Scan mode', type: 'string', unit: '', constraint: ['Gray', 'Color'], value: byName.get('mode')!.value, active: true, settable: true, setBy: 'mode' });
    assert.equal(byName.get('resolution')?.setBy, 'dpi');
    assert.equal(byName.get('test-picture')?.setBy, null);
    assert.deepEqual(byName.get('resolution')?.constraint, { min: 1, max: 1200, step: 1 });
    assert.equal(byName.get('resolution')?.unit, 'dpi');
    assert.equal(byName.get('resolution')?.type, 'float');
    assert.deepEqual(byName.get('depth')?.constraint, [1, 8, 16]);
    assert.equal(byName.get('three-pass')?.active, false, 'three-pass is only active in colour');
    assert.ok((byName.get('read-return-value')?.constraint as string[]).includes('SANE_STATUS_JAMMED'));
    assert.equal(byName.get('br-x')?.unit, 'mm');
    assert.equal(byName.get('print-options')?.type, 'button');
  });

  describe('frame formats, pixel for pixel against scanimage', () => {
    const area = { width: 40, height: 30 };
    const cases: { name: string; settings: ScanSettingsInput; scanimage: string[]; expect: { mode: string; bitDepth: number }; padded?: boolean }[] = [
      { name: '8-bit grey', settings: { mode: 'gray' }, scanimage: ['--mode', 'Gray', '--depth', '8'], expect: { mode: 'gray', bitDepth: 8 } },
      { name: '8-bit colour (RGB frame)', settings: { mode: 'color' }, scanimage: ['--mode', 'Color', '--depth', '8'], expect: { mode: 'color', bitDepth: 8 } },
      { name: '1-bit line-art', settings: { mode: 'bw' }, scanimage: ['--mode', 'Gray', '--depth', '1'], expect: { mode: 'bw', bitDepth: 1 } },
      { name: '16-bit grey (host byte order)', settings: { mode: 'gray', options: { depth: 16 } }, scanimage: ['--mode', 'Gray', '--depth', '16'], expect: { mode: 'gray', bitDepth: 16 } },
      { name: '16-bit colour', settings: { mode: 'color', options: { depth: 16 } }, scanimage: ['--mode', 'Color', '--depth', '16'], expect: { mode: 'color', bitDepth: 16 } },
      { name: 'three-pass red, green, blue frames', settings: { mode: 'color', options: { 'three-pass': true } }, scanimage: ['--mode', 'Color', '--depth', '8', '--three-pass=yes'], expect: { mode: 'color', bitDepth: 8 } },
      {
        name: 'three-pass in blue, green, red order',
        settings: { mode: 'color', options: { 'three-pass': true, 'three-pass-order': 'BGR' } },
        scanimage: ['--mode', 'Color', '--depth', '8', '--three-pass=yes', '--three-pass-order', 'BGR'],
        expect: { mode: 'color', bitDepth: 8 },
      },
      { name: 'unknown page height (hand-scanner, lines = -1)', settings: { mode: 'gray', options: { 'hand-scanner': true } }, scanimage: ['--mode', 'Gray', '--depth', '8', '--hand-scanner=yes'], expect: { mode: 'gray', bitDepth: 8 } },
      // scanimage writes each line with its padding (its header has the pixel count): the reference is read line by line.
      { name: 'padded lines (ppl-loss), grey', settings: { mode: 'gray', options: { 'ppl-loss': 7 } }, scanimage: ['--mode', 'Gray', '--depth', '8', '--ppl-loss', '7'], expect: { mode: 'gray', bitDepth: 8 }, padded: true },
      { name: 'padded lines (ppl-loss), line-art', settings: { mode: 'bw', options: { 'ppl-loss': 3 } }, scanimage: ['--mode', 'Gray', '--depth', '1', '--ppl-loss', '3'], expect: { mode: 'bw', bitDepth: 1 } },
      { name: 'tiny reads (read-limit 7 bytes)', settings: { mode: 'color', options: { 'read-limit': true, 'read-limit-size': 7 } }, scanimage: ['--mode', 'Color', '--depth', '8', '--read-limit=yes', '--read-limit-size', '7'], expect: { mode: 'color', bitDepth: 8 } },
      { name: 'a slow device (read-delay)', settings: { mode: 'gray', options: { 'read-delay': true, 'read-delay-duration': 20000 } }, scanimage: ['--mode', 'Gray', '--depth', '8', '--read-delay=yes', '--read-delay-duration', '20000'], expect: { mode: 'gray', bitDepth: 8 } },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const input = { ...c.settings, dpi: 50, paper: area, options: { 'test-picture': 'Color pattern', ...c.settings.options } };
        const sink = await scan('sane:test:0', input);
        assert.equal(sink.pages.length, 1);
        const page = sink.pages[0]!;
        assert.deepEqual([page.format, page.mode, page.bitDepth, page.xdpi, page.ydpi], ['png', c.expect.mode, c.expect.bitDepth, 50, 50]);
        const reference = parsePnm(await scanimage(backend, 'test:0', [...c.scanimage, '--resolution', '50', '-x', String(area.width), '-y', String(area.height), '--test-picture', 'Color pattern']), c.padded);
        const ours = await decodePng(page.bytes);
        assert.deepEqual([ours.width, ours.height, ours.channels], [reference.width, reference.height, reference.channels]);
        assert.deepEqual([page.width, page.height], [reference.width, reference.height]);
        assert.ok(new Set(ours.samples).size > 1, 'the pattern is not uniform');
        assert.deepEqual(ours.samples, reference.samples);
      });
    }

    it('1-bit colour is spread to 8-bit colour with full-intensity samples', async () => {
      const sink = await scan('sane:test:0', { mode: 'color', dpi: 50, paper: area, options: { depth: 1, 'test-picture': 'Color pattern' } });
      const page = sink.pages[0]!;
      assert.deepEqual([page.mode, page.bitDepth], ['color', 8]);
      const pixels = await decodePng(page.bytes);
      assert.deepEqual([...new Set(pixels.samples)].sort((a, b) => a - b), [0, 65535]);
    });
  });

  it('pages for the network (the eSCL server) come without the thumbnail a buffer page gets, with the same pixels', async () => {
    const s = settings({ mode: 'color', dpi: 50, paper: { width: 40, height: 30 }, options: { 'test-picture': 'Color pattern' } });
    await driver.validate('sane:test:0', s);
    const forBuffer = recordingSink();
    await driver.scan('sane:test:0', s, forBuffer, never());
    const forNetwork = Object.assign(recordingSink(), { network: true });
    await driver.scan('sane:test:0', s, forNetwork, never());
    const [buffered, sent] = [forBuffer.pages[0]!, forNetwork.pages[0]!];
    assert.ok(buffered.preview, 'a page for the buffer has its thumbnail');
    assert.equal(sent.preview, undefined);
    assert.deepEqual([sent.format, sent.width, sent.height, sent.mode, sent.bitDepth], ['png', buffered.width, buffered.height, 'color', 8]);
    assert.deepEqual((await decodePng(sent.bytes)).samples, (await decodePng(buffered.bytes)).samples);
  });

  it('network pages asked as JPEG are encoded as JPEG in the worker, once, with the page density', async () => {
    const s = settings({ mode: 'color', dpi: 50, paper: { width: 40, height: 30 }, options: { 'test-picture': 'Color pattern' } });
    await driver.validate('sane:test:0', s);
    const asPng = Object.assign(recordingSink(), { network: true });
    await driver.scan('sane:test:0', s, asPng, never());
    const asJpeg = Object.assign(recordingSink(), { network: true, networkFormat: 'jpeg' as const });
    await driver.scan('sane:test:0', s, asJpeg, never());
    const [png, jpeg] = [asPng.pages[0]!, asJpeg.pages[0]!];
    assert.deepEqual([jpeg.format, jpeg.width, jpeg.height, jpeg.mode, jpeg.bitDepth, jpeg.preview], ['jpeg', png.width, png.height, 'color', 8, undefined]);
    const meta = await sharp(jpeg.bytes).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height, meta.channels, meta.density], ['jpeg', png.width, png.height, 3, 50]);
    // The JPEG the eSCL server made of the PNG page before (quality 85): the same picture, now encoded once.
    const fromPng = await sharp(await sharp(png.bytes).jpeg({ quality: 85 }).toBuffer()).raw().toBuffer();
    assert.ok((await sharp(jpeg.bytes).raw().toBuffer()).equals(fromPng));
  });

  it('reports progress in bytes and lines up to the whole page', async () => {
    // The test backend pauses after each block it passes on (about 64 KB): 150 KB take a few pauses.
    const s = settings({ mode: 'gray', dpi: 100, paper: { width: 100, height: 100 }, options: { 'read-delay': true, 'read-delay-duration': 150000 } });
    const sink = recordingSink();
    await driver.scan('sane:test:0', s, sink, never());
    const events = sink.progressEvents;
    assert.ok(events.length >= 3, `${events.length} progress events`);
    assert.deepEqual(events[0], { page: 1, fraction: 0, bytes: 0, lines: 0 });
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.bytes >= events[i - 1]!.bytes && events[i]!.lines >= events[i - 1]!.lines);
    const page = sink.pages[0]!;
    assert.deepEqual(events.at(-1), { page: 1, fraction: 1, bytes: page.width * page.height, lines: page.height });
    assert.ok(events.some((e) => e.fraction > 0 && e.fraction < 1), 'progress between start and end');
  });

  it('a feeder job goes on until the feeder is empty: 10 pages, then the job ends normally', async () => {
    // A fresh worker: the test backend counts the scans of an open device toward its 10 sheets.
    await driver.release('sane:test:1');
    const s = settings({ source: 'feeder', mode: 'gray', dpi: 25, paper: { width: 40, height: 30 } });
    await driver.validate('sane:test:1', s);
    const sink = recordingSink();
    await driver.scan('sane:test:1', s, sink, never());
    assert.equal(sink.pages.length, 10);
    assert.deepEqual([...new Set(sink.progressEvents.map((p) => p.page))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // The feeder is reloaded after running empty: the next job scans again.
    const again = recordingSink();
    await driver.scan('sane:test:1', s, again, never());
    assert.equal(again.pages.length, 10);
  });

  describe('SANE statuses become typed errors', () => {
    const cases: [string, string, RegExp][] = [
      ['SANE_STATUS_JAMMED', 'paper-jam', /^paper jam in the document feeder of sane:test:0 at page 1 \(sane_read\): SANE_STATUS_JAMMED$/],
      ['SANE_STATUS_COVER_OPEN', 'cover-open', /^the cover of sane:test:0 is open at page 1/],
      ['SANE_STATUS_DEVICE_BUSY', 'device-busy', /^sane:test:0 is busy \(another program may be using it\)/],
      ['SANE_STATUS_IO_ERROR', 'io-error', /^input\/output error while talking to sane:test:0 at page 1/],
      ['SANE_STATUS_ACCESS_DENIED', 'access-denied', /^access to sane:test:0 was denied/],
      ['SANE_STATUS_INVAL', 'invalid-settings', /^sane:test:0 refused the settings at page 1/],
      ['SANE_STATUS_UNSUPPORTED', 'invalid-settings', /does not support this operation/],
      ['SANE_STATUS_NO_MEM', 'io-error', /ran out of memory/],
      ['SANE_STATUS_CANCELLED', 'job-cancelled', /^the scan was cancelled by sane:test:0/],
    ];
    for (const [status, code, message] of cases) {
      it(`${status} is ${code}`, async () => {
        const err = await rejection(scan('sane:test:0', { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 }, options: { 'read-return-value': status } }));
        assert.equal(err.code, code);
        assert.match(err.message, message);
        assert.equal(err.details?.saneStatus, status);
      });
    }

    it('SANE_STATUS_NO_DOCS on the first page is feeder-empty', async () => {
      const err = await rejection(scan('sane:test:0', { source: 'feeder', mode: 'gray', dpi: 25, paper: { width: 20, height: 20 }, options: { 'read-return-value': 'SANE_STATUS_NO_DOCS' } }));
      assert.equal(err.code, 'feeder-empty');
      assert.match(err.message, /^the document feeder of sane:test:0 is empty at page 1/);
    });

    it('the device works normally after errors', async () => {
      const sink = await scan('sane:test:0', { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 } });
      assert.equal(sink.pages.length, 1);
    });
  });

  /** Settings for a page that takes seconds: 1.4 MB with a 0.2 s pause after each block of about 64 KB. */
  const slow = (input: ScanSettingsInput = {}): ScanSettingsInput => ({
    mode: 'gray',
    dpi: 300,
    paper: { width: 100, height: 100 },
    ...input,
    options: { 'read-delay': true, 'read-delay-duration': 200000, ...input.options },
  });

  it('cancel stops the device mid-page; the same worker scans again afterwards', async () => {
    const s = settings(slow());
    const controller = new AbortController();
    const sink = recordingSink({ onProgress: (p) => p.bytes > 0 && controller.abort(new ScanbridgeError('job-cancelled', 'the job was cancelled')) });
    await driver.capabilities('sane:test:0');
    const before = await saneWorkers();
    const err = await rejection(driver.scan('sane:test:0', s, sink, controller.signal));
    assert.equal(err.code, 'job-cancelled');
    assert.equal(sink.pages.length, 0, 'the page being read when cancelled is dropped');
    const next = await scan('sane:test:0', { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 } });
    assert.equal(next.pages.length, 1);
    assert.deepEqual(await saneWorkers(), before, 'cancel stopped the read without killing the worker');
  });

  it('a worker killed with SIGKILL mid-scan fails the scan with driver-crashed; the next scan starts a new worker', async () => {
    const s = settings(slow());
    let killed = 0;
    const sink = recordingSink({
      onProgress: (p) => {
        if (p.bytes === 0 || killed) return;
        void saneWorkers(process.pid, 'sane:test:0').then((pids) => {
          for (const pid of pids) process.kill(pid, 'SIGKILL');
          killed = pids.length;
        });
      },
    });
    const err = await rejection(driver.scan('sane:test:0', s, sink, never()));
    assert.equal(err.code, 'driver-crashed');
    assert.match(err.message, /^the SANE worker of sane:test:0 \(pid \d+\) was killed by SIGKILL during scan; scanbridge is still running, scan again/);
    assert.ok(killed >= 1);
    const next = await scan('sane:test:0', { mode: 'color', dpi: 25, paper: { width: 20, height: 20 } });
    assert.equal(next.pages.length, 1);
  });

  it('a device that disappears mid-scan ends it with device-gone; pages scanned before are delivered', async () => {
    await driver.release('sane:test:1');
    // 0.2 s before each block of the backend (the most the option allows): the ten pages take long enough for the
    // discovery that finds the device gone, also on a busy machine (with 0.1 s the pages won that race at a load of 25
    // once they were read on the worker's read thread).
    const s = settings({ source: 'feeder', mode: 'gray', dpi: 100, paper: { width: 100, height: 100 }, options: { 'read-delay': true, 'read-delay-duration': 200000 } });
    let unplugged: Promise<unknown> | null = null;
    const sink = recordingSink({
      onPage: () => {
        unplugged ??= backend.setDevices(1).then(() => driver.list());
      },
    });
    const err = await rejection(driver.scan('sane:test:1', s, sink, never()));
    assert.equal(err.code, 'device-gone');
    assert.equal(err.message, 'sane:test:1 disappeared during the scan: it is no longer in the SANE device list; reconnect it and list devices again');
    assert.ok(sink.pages.length >= 1);
    await unplugged;
    assert.deepEqual((await driver.list()).map((d) => d.id), ['sane:test:0']);
    const gone = await rejection(driver.capabilities('sane:test:1'));
    assert.equal(gone.code, 'unknown-device');
    await backend.setDevices(2);
    assert.deepEqual((await driver.list()).map((d) => d.id), ['sane:test:0', 'sane:test:1']);
    assert.equal((await scan('sane:test:1', { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 } })).pages.length, 1);
  });

  describe('bad input gets a typed error', () => {
    it('an unknown device id', async () => {
      const err = await rejection(driver.capabilities('sane:scanner:9'));
      assert.equal(err.code, 'unknown-device');
      assert.equal(err.message, 'unknown device "sane:scanner:9"; SANE devices: sane:test:0, sane:test:1');
      assert.equal((await rejection(driver.validate('sane:nope', settings()))).code, 'unknown-device');
    });

    it('an option that does not exist, and a value outside its constraint', async () => {
      const missing = await rejection(driver.validate('sane:test:0', settings({ options: { brightness: 10 } })));
      assert.equal(missing.code, 'invalid-settings');
      assert.match(missing.message, /^option "brightness" of sane:test:0 does not exist; options: mode, depth, hand-scanner, /);
      const range = await rejection(driver.validate('sane:test:0', settings({ options: { 'read-limit-size': 70000 } })));
      assert.equal(range.message, 'option "read-limit-size" of sane:test:0 must be from 1 to 65536 in steps of 1; got 70000');
      const list = await rejection(driver.validate('sane:test:0', settings({ options: { 'test-picture': 'Kittens' } })));
      assert.equal(list.message, 'option "test-picture" of sane:test:0 must be one of: Solid black, Solid white, Color pattern, Grid; got "Kittens"');
      const type = await rejection(driver.validate('sane:test:0', settings({ options: { 'read-limit': 'yes' } })));
      assert.equal(type.message, 'option "read-limit" of sane:test:0 must be true or false; got "yes"');
    });

    it('settings the device refuses: an inactive option, duplex, a resolution or paper out of range', async () => {
      const inactive = await rejection(driver.validate('sane:test:0', settings({ mode: 'gray', options: { 'three-pass': true } })));
      assert.equal(inactive.code, 'invalid-settings');
      assert.equal(inactive.message, 'option "three-pass" of sane:test:0 is inactive with these settings (other options, e.g. the mode, switch it on)');
      assert.equal((await rejection(driver.validate('sane:test:0', settings({ source: 'feeder', duplex: true })))).message, 'duplex is not supported by sane:test:0; allowed: false');
      assert.equal((await rejection(driver.validate('sane:test:0', settings({ dpi: 2400 })))).message, 'dpi 2400 is not supported by sane:test:0; allowed: 1 to 1200 in steps of 1');
      assert.match((await rejection(driver.validate('sane:test:0', settings({ paper: 'Legal' })))).message, /^paper Legal \(215\.9 x 355\.6 mm\) does not fit the scan area of sane:test:0; allowed: A4, A5, Letter or an area within 300 x 300 mm$/);
      const sink = await scan('sane:test:0', { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 } });
      assert.equal(sink.pages.length, 1, 'the device scans normally after refused settings');
    });

    it('a scan on a busy device is refused with device-busy', async () => {
      const controller = new AbortController();
      const running = driver.scan('sane:test:0', settings(slow()), recordingSink(), controller.signal).catch((err: unknown) => err);
      while (!(await saneWorkers()).length) await sleep(10);
      await sleep(100);
      const busy = await rejection(driver.validate('sane:test:0', settings()));
      assert.equal(busy.code, 'device-busy');
      controller.abort(new ScanbridgeError('job-cancelled', 'the job was cancelled'));
      assert.equal(((await running) as ScanbridgeError).code, 'job-cancelled');
    });
  });

  it('release stops the device worker', async () => {
    await driver.capabilities('sane:test:0');
    const workers = await saneWorkers();
    assert.ok(workers.length >= 1);
    await driver.release('sane:test:0');
    await driver.release('sane:test:1');
    for (const pid of workers) while (alive(pid)) await sleep(20);
  });
});

describe('SANE driver with a device that hangs', () => {
  let backend: TestBackend;
  let driver: SaneDriver;
  // test.conf's default read-delay-duration: 30 s before each block, far beyond what sane_control_option allows.
  const hanging = { mode: 'gray', dpi: 50, paper: { width: 20, height: 20 }, options: { 'read-delay': true } } as const;
  const quick = { mode: 'gray', dpi: 25, paper: { width: 20, height: 20 }, options: { 'read-delay': false } } as const;

  before(async () => {
    backend = await createTestBackend(1, { 'read-delay-duration': '30000000' });
    driver = new SaneDriver({ env: { ...process.env, ...backend.env }, idleTimeoutMs: 60_000, readStallMs: 1500, unresponsiveMs: 1500 });
  });
  after(async () => {
    await driver.close();
    await backend.remove();
  });

  const scan = async (input: ScanSettingsInput, signal = never()) => {
    const s = settings(input);
    await driver.validate('sane:test:0', s);
    const sink = recordingSink();
    await driver.scan('sane:test:0', s, sink, signal);
    return sink;
  };

  it('a sane_read that sends nothing for readStallMs fails the scan with io-error and replaces the worker', async () => {
    await driver.capabilities('sane:test:0');
    const [hungPid] = await saneWorkers(process.pid, 'sane:test:0');
    const err = await rejection(scan(hanging));
    assert.equal(err.code, 'io-error');
    assert.match(err.message, /^sane:test:0 sent no data for 1\.5 s at page 1 \(sane_read\): the scanner or its driver hangs; scanbridge stopped its worker/);
    assert.equal(err.details?.readStallMs, 1500);
    assert.equal(alive(hungPid!), false, 'the worker stuck in sane_read was killed');
    assert.equal((await scan(quick)).pages.length, 1, 'a new worker scans');
  });

  it('a worker that stops answering mid-scan is killed after unresponsiveMs: driver-crashed, and the next scan works', async () => {
    const controller = new AbortController();
    const sink = recordingSink({
      onProgress: () => {
        void saneWorkers(process.pid, 'sane:test:0').then((pids) => pids.forEach((pid) => process.kill(pid, 'SIGSTOP')));
      },
    });
    const s = settings({ mode: 'gray', dpi: 300, paper: { width: 100, height: 100 }, options: { 'read-delay': true, 'read-delay-duration': 200000 } });
    await driver.validate('sane:test:0', s);
    const [pid] = await saneWorkers(process.pid, 'sane:test:0');
    const err = await rejection(driver.scan('sane:test:0', s, sink, controller.signal));
    assert.equal(err.code, 'driver-crashed');
    assert.match(err.message, /^the SANE worker of sane:test:0 \(pid \d+\) stopped responding during scan: nothing from it for \d+ s/);
    while (alive(pid!)) await sleep(20);
    assert.equal((await scan(quick)).pages.length, 1);
  });
});

describe('SANE driver without libsane', () => {
  it('reports itself unavailable, naming the library and the package to install', async () => {
    const driver = new SaneDriver({ library: 'libsane-missing.so.9' });
    try {
      const availability = await driver.availability();
      assert.equal(availability.available, false);
      assert.match(availability.available ? '' : availability.reason, /^libsane could not be loaded from "libsane-missing\.so\.9" \(.*\); install the libsane1 package \(Debian\/Ubuntu: sudo apt-get install libsane1/);
      assert.deepEqual(await driver.availability(), availability, 'the verdict is kept');
    } finally {
      await driver.close();
    }
  });
});
