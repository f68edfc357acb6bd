/**
 * Blank page detection on demo-scanner paper (with its noise, lamp fall-off
 * and dust), with what real scans add: punch holes, a shadow along the paper
 * edge, heavy sensor noise; against pages with a single short line of text.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import type { EncodedPage } from '../../devices/driver.js';
import { ImagingApi, demoPages, stored } from '../test-pages.js';
import { measureBlank } from './blank.js';

type Verdict = { page: string; index: number; blank: boolean; measures: { inkArea: number; components: number; ignored: { noise: number; edges: number; holes: number } } };

const DEFAULTS = { inkThreshold: 64, minInkArea: 1.5, minMarkArea: 0.15, margin: 5 };
const px = (mm: number, dpi: number) => Math.round((mm / 25.4) * dpi);

/** Draws SVG over a page (multiplied, as ink and shadows darken paper), keeping its colour mode. */
async function over(page: EncodedPage, svgBody: string): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${page.width}" height="${page.height}">${svgBody}</svg>`;
  let s = sharp(page.bytes).composite([{ input: Buffer.from(svg), blend: 'multiply' }]);
  if (page.mode !== 'color') s = s.toColourspace('b-w');
  return s.png().toBuffer();
}

/** Two ISO 838 punch holes (6 mm, 12 mm from the left edge, 80 mm apart) that show the dark feeder background. */
const holes = (p: EncodedPage) =>
  [-40, 40]
    .map((dy) => `<circle cx="${px(12, p.xdpi)}" cy="${p.height / 2 + px(dy, p.ydpi)}" r="${px(3, p.xdpi)}" fill="#262626"/>`)
    .join('');

/** The shadow of a curled paper edge: dark at the right edge, fading out over 8 mm; and a fainter one along the top. */
const shadow = (p: EncodedPage) =>
  `<defs><linearGradient id="r" x1="1" x2="0"><stop offset="0" stop-color="#505050"/><stop offset="1" stop-color="#fff"/></linearGradient>` +
  `<linearGradient id="t" x1="0" x2="0" y1="0" y2="1"><stop offset="0" stop-color="#a0a0a0"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>` +
  `<rect x="${p.width - px(8, p.xdpi)}" y="0" width="${px(8, p.xdpi)}" height="${p.height}" fill="url(#r)"/>` +
  `<rect x="0" y="0" width="${p.width}" height="${px(4, p.ydpi)}" fill="url(#t)"/>`;

/** One short line of 10 pt text in the middle of the page. */
const line = (p: EncodedPage, text: string) =>
  `<text x="${px(40, p.xdpi)}" y="${p.height / 2}" font-family="DejaVu Sans" font-size="${((10 / 72) * p.ydpi).toFixed(1)}" fill="#222">${text}</text>`;

/** Sensor noise far above the demo scanner's: +-20 grey levels, in blotches of 2 x 2 pixels (a fixed-seed generator). */
async function noisy(page: EncodedPage): Promise<Buffer> {
  const { data, info } = await sharp(page.bytes).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  let seed = 99;
  const rand = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  for (let y = 0; y < info.height; y += 2) {
    for (let x = 0; x < info.width; x += 2) {
      const n = Math.round((rand() - 0.5) * 40);
      for (const i of [y * info.width + x, y * info.width + x + 1, (y + 1) * info.width + x, (y + 1) * info.width + x + 1]) {
        if (i < data.length) data[i] = Math.max(0, Math.min(255, data[i]! + n));
      }
    }
  }
  return sharp(data, { raw: { width: info.width, height: info.height, channels: 1 } }).toColourspace('b-w').png().toBuffer();
}

describe('blank page detection', () => {
  let blankGrey: EncodedPage;
  let blankColour: EncodedPage;
  let blankBw: EncodedPage;
  let document: EncodedPage;
  before(async () => {
    [blankGrey] = (await demoPages({ mode: 'gray', dpi: 150, options: { pattern: 'blank' } })) as [EncodedPage];
    [blankColour] = (await demoPages({ mode: 'color', dpi: 200, paper: 'Letter', options: { pattern: 'blank' } })) as [EncodedPage];
    [blankBw] = (await demoPages({ mode: 'bw', dpi: 300, options: { pattern: 'blank' } })) as [EncodedPage];
    [document] = (await demoPages({ mode: 'gray', dpi: 150 })) as [EncodedPage];
  });

  const check = async (name: string, page: EncodedPage, bytes: Buffer, blank: boolean, opts = DEFAULTS) => {
    const { blank: verdict, measures } = await measureBlank(stored(page, bytes), opts);
    assert.equal(verdict, blank, `${name}: ${JSON.stringify(measures)}`);
    return measures;
  };

  it('calls blank paper blank in grey, colour and line-art, at any resolution', async () => {
    for (const page of [blankGrey, blankColour, blankBw]) {
      const m = await check(`blank ${page.mode} ${page.xdpi} dpi`, page, page.bytes, true);
      assert.equal(m.components, 0);
    }
  });

  it('calls near-blank pages blank: punch holes, an edge shadow, heavy sensor noise, all of them', async () => {
    const m = await check('punch holes', blankGrey, await over(blankGrey, holes(blankGrey)), true);
    assert.equal(m.ignored.holes, 2);
    await check('edge shadow', blankGrey, await over(blankGrey, shadow(blankGrey)), true);
    await check('edge shadow, colour', blankColour, await over(blankColour, shadow(blankColour)), true);
    await check('heavy noise', blankGrey, await noisy(blankGrey), true);
    const all = { ...blankGrey, bytes: await noisy(blankGrey) };
    await check('holes, shadow and noise', all, await over(all, holes(all) + shadow(all)), true);
  });

  it('calls a page with a single short line of text not blank, and a document not blank', async () => {
    for (const page of [blankGrey, blankColour]) {
      const m = await check(`one line on ${page.mode}`, page, await over(page, line(page, 'Received 3 May')), false);
      assert.ok(m.components >= 10, `components ${m.components}`);
      assert.ok(m.inkArea > 3 && m.inkArea < 60, `ink ${m.inkArea} mm²`);
    }
    const withHoles = await over(blankGrey, holes(blankGrey) + shadow(blankGrey) + line(blankGrey, 'Void'));
    await check('one word among holes and shadow', blankGrey, withHoles, false);
    await check('document', document, document.bytes, false);
  });

  it('follows its thresholds: a larger minInkArea lets the line pass as blank; counting every speck does not', async () => {
    const sparse = await over(blankGrey, line(blankGrey, 'Received 3 May'));
    await check('line, minInkArea 500', blankGrey, sparse, true, { ...DEFAULTS, minInkArea: 500 });
    await check('line, inkThreshold 250', blankGrey, sparse, true, { ...DEFAULTS, inkThreshold: 250 });
    // The demo scanner's dust specks are real marks, just below minMarkArea.
    await check('dust counted', blankGrey, blankGrey.bytes, false, { ...DEFAULTS, minMarkArea: 0, minInkArea: 0.01 });
  });
});

describe('DetectBlankImages over the API', () => {
  let api: ImagingApi;
  before(async () => {
    api = await ImagingApi.start();
  });
  after(async () => api.close());

  it('answers the verdict and the measures of each page, and changes nothing', async () => {
    const pages = await demoPages({ source: 'feeder', duplex: true, mode: 'gray', dpi: 150, options: { sheets: 2, pattern: 'blank-backs' } }, 'demo:scanner');
    const added: PageInfo[] = [];
    for (const p of pages) added.push(await api.add(p.bytes, { xdpi: p.xdpi }));
    const holed = await over(pages[1]!, holes(pages[1]!));
    added.push(await api.add(holed, { xdpi: 150 }));
    await api.call('SelectImages', { pages: added.map((p) => p.id) });
    const verdicts = await api.call<Verdict[]>('DetectBlankImages', { selected: true });
    assert.deepEqual(
      verdicts.map((v) => [v.page, v.index, v.blank]),
      added.map((p, i) => [p.id, p.index, [false, true, false, true, true][i]]),
    );
    assert.equal(verdicts[4]!.measures.ignored.holes, 2);
    assert.ok(verdicts[0]!.measures.inkArea > 1000);
    const strict = await api.call<Verdict[]>('DetectBlankImages', { pages: [added[4]!.id], minInkArea: 0, minMarkArea: 0 });
    assert.equal(strict[0]!.blank, false);
    const now = await api.call<PageInfo[]>('GetImagesInfo');
    assert.deepEqual(
      now.map((p) => p.version),
      added.map(() => 1),
    );
  });
});
