/**
 * The stored form of scanned pages, through real libsane and SANE's `pnm`
 * backend (it delivers a PNM file's pixels as a scanner would): a page with a
 * scanner's sensor noise and a clean one are each stored pixel for pixel as
 * the driver delivered them (checked with netpbm's decoder), the noisy one
 * uncompressed and the clean one compressed (imaging/raw-png.ts), and each
 * comes with its thumbnail made in the device worker.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sharp } from '../../imaging/sharp.js';
import { PREVIEW_BOX, fittedSize } from '../../imaging/page-preview.js';
import { SaneDriver } from './sane-driver.js';
import { decodePng, parsePnm, recordingSink, settings } from './test-helpers.js';

const WIDTH = 420;
const HEIGHT = 600;

/** A page of paper-white with a dark band, plus noise of about 3 levels in every sample when `noisy`; deterministic. */
function page(noisy: boolean): Buffer {
  const data = Buffer.alloc(WIDTH * HEIGHT * 3);
  let seed = 7;
  const uniform = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < data.length; i++) {
    const y = Math.floor(i / (WIDTH * 3));
    const base = y > 200 && y < 260 ? 40 : 235;
    data[i] = base + (noisy ? Math.round((uniform() + uniform() + uniform() - 1.5) * 6) : 0);
  }
  return Buffer.concat([Buffer.from(`P6\n${WIDTH} ${HEIGHT}\n255\n`), data]);
}

describe('scanned pages are stored losslessly, in the form their content calls for, with a thumbnail', () => {
  let dir: string;
  let driver: SaneDriver;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-sane-pnm-'));
    await writeFile(path.join(dir, 'dll.conf'), 'pnm\n');
    await writeFile(path.join(dir, 'noisy.ppm'), page(true));
    await writeFile(path.join(dir, 'clean.ppm'), page(false));
    driver = new SaneDriver({ env: { ...process.env, SANE_CONFIG_DIR: dir } });
  });
  after(async () => {
    await driver.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const kind of ['noisy', 'clean'] as const) {
    it(`a ${kind} page`, async () => {
      const file = path.join(dir, `${kind}.ppm`);
      const s = settings({ source: 'flatbed', mode: 'color', dpi: 75, options: { filename: file } });
      const sink = recordingSink();
      await driver.scan('sane:pnm:0', s, sink, new AbortController().signal);
      assert.equal(sink.pages.length, 1);
      const stored = sink.pages[0]!;
      assert.deepEqual([stored.format, stored.width, stored.height, stored.bitDepth], ['png', WIDTH, HEIGHT, 8]);
      const ours = await decodePng(stored.bytes);
      const delivered = parsePnm(page(kind === 'noisy'));
      assert.deepEqual([ours.width, ours.height, ours.channels], [delivered.width, delivered.height, delivered.channels]);
      assert.ok(ours.samples.every((v, i) => v === delivered.samples[i]), 'the stored page differs from the pixels the driver delivered');
      const raw = WIDTH * HEIGHT * 3;
      // Noise is stored as it is (compressing it costs many times the time for a fraction of the bytes); a clean page is compressed.
      if (kind === 'noisy') assert.ok(stored.bytes.length >= raw, `noisy page: ${stored.bytes.length} bytes for ${raw} of pixels`);
      else assert.ok(stored.bytes.length < raw / 10, `clean page: ${stored.bytes.length} bytes for ${raw} of pixels`);

      // Handed over through a file (page-handover.ts): the page owns its memory, which the memory cache keeps without copying it,
      // and nothing is left in the handover folder's place once the scan is over.
      assert.equal(stored.bytes.byteOffset, 0);
      assert.equal(stored.bytes.buffer.byteLength, stored.bytes.length, 'the stored bytes are a view into a larger allocation (an IPC message)');
      for (const root of ['/dev/shm', tmpdir()]) assert.deepEqual((await readdir(root).catch(() => [])).filter((n) => n.startsWith(`scanbridge-pages-${process.pid}-`)), []);

      const preview = stored.preview;
      assert.ok(preview, 'the page comes with its thumbnail');
      assert.deepEqual([preview.width, preview.height, preview.pageWidth, preview.pageHeight], [...Object.values(fittedSize(WIDTH, HEIGHT, PREVIEW_BOX)), WIDTH, HEIGHT]);
      const meta = await sharp(preview.bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['jpeg', preview.width, preview.height]);
    });
  }
});
