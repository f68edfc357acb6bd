/** Border removal through the API: a demo-scanner page on the dark background of a scanner larger than the paper. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import type { EncodedPage } from '../../devices/driver.js';
import { ImagingApi, at, demoPages, pnm } from '../test-pages.js';

type Trimmed = { info: PageInfo; changed: boolean; area: { x: number; y: number; width: number; height: number } };

/** The page on a scanner's dark background: borders of the given widths, and a shadow along the paper edge where it meets them. */
async function onBackground(page: EncodedPage, b: { top: number; left: number; right: number; bottom: number }): Promise<Buffer> {
  const width = page.width + b.left + b.right;
  const height = page.height + b.top + b.bottom;
  const [x0, y0, x1, y1] = [b.left, b.top, b.left + page.width, b.top + page.height];
  const edges = [
    [b.top, x0, y0, x1, y0],
    [b.bottom, x0, y1, x1, y1],
    [b.left, x0, y0, x0, y1],
    [b.right, x1, y0, x1, y1],
  ]
    .filter(([border]) => border! > 0)
    .map(([, ax, ay, bx, by]) => `<line x1="${ax}" y1="${ay}" x2="${bx}" y2="${by}" stroke="#808080" stroke-width="4"/>`);
  const shadow = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${edges.join('')}</svg>`;
  let s = sharp(page.bytes)
    .extend({ ...b, background: '#1c1c1c' })
    .composite([{ input: Buffer.from(shadow), blend: 'multiply' }]);
  if (page.mode !== 'color') s = s.toColourspace('b-w');
  return s.png().toBuffer();
}

describe('border removal over the API', () => {
  let api: ImagingApi;
  let grey: EncodedPage;
  let colour: EncodedPage;
  before(async () => {
    api = await ImagingApi.start();
    [grey] = (await demoPages({ mode: 'gray', dpi: 150 })) as [EncodedPage];
    [colour] = (await demoPages({ mode: 'color', dpi: 100, paper: 'A5' })) as [EncodedPage];
  });
  after(async () => api.close());

  it('crops away the dark borders and the shadow of the paper edge, and nothing of the paper', async () => {
    for (const [page, borders] of [
      [grey, { top: 40, left: 63, right: 25, bottom: 0 }],
      [colour, { top: 0, left: 0, right: 31, bottom: 57 }],
    ] as const) {
      const added = await api.add(await onBackground(page, borders), { xdpi: page.xdpi });
      const [r] = await api.call<Trimmed[]>('RemoveImageBorders', { pages: [added.id] });
      await api.modified([added.id]);
      const { area } = r!;
      // The shadow is 2 pixels inside the paper; up to 3 mm of it may go with the border.
      const slack = Math.round((3 / 25.4) * page.xdpi);
      assert.ok(area.x >= borders.left && area.x <= borders.left + slack, `x ${area.x} for border ${borders.left}`);
      assert.ok(area.y >= borders.top && area.y <= borders.top + slack, `y ${area.y} for border ${borders.top}`);
      assert.ok(area.x + area.width <= borders.left + page.width && area.x + area.width >= borders.left + page.width - slack, `right edge ${area.x + area.width}`);
      assert.ok(area.y + area.height <= borders.top + page.height && area.y + area.height >= borders.top + page.height - slack, `bottom edge ${area.y + area.height}`);
      assert.deepEqual([r!.changed, r!.info.width, r!.info.height, r!.info.version, r!.info.mode], [true, area.width, area.height, added.version + 1, page.mode]);
      const trimmed = await pnm((await api.image(added.id)).bytes);
      assert.deepEqual([trimmed.width, trimmed.height], [area.width, area.height]);
      // No border left in the corners: they are paper now.
      for (const [x, y] of [
        [0, 0],
        [area.width - 1, 0],
        [0, area.height - 1],
        [area.width - 1, area.height - 1],
      ] as const) {
        assert.ok(at(trimmed, x, y) > 150, `corner ${x},${y} is ${at(trimmed, x, y)}`);
      }
    }
  });

  it('leaves a page without borders as it is', async () => {
    const added = await api.add(grey.bytes, { xdpi: 150 });
    const [r] = await api.call<Trimmed[]>('RemoveImageBorders', { pages: [added.id] });
    assert.deepEqual([r!.changed, r!.info.version, r!.area], [false, added.version, { x: 0, y: 0, width: grey.width, height: grey.height }]);
    await api.noModifyBefore(added.id);
  });
});
