/** An independent reader (zbarimg) decodes both symbols of every demo page, and they tell pages and sides apart. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColorMode } from '@scanbridge/protocol';
import { DemoDriver } from './demo-driver.js';
import { decodeBarcodes, recordingSink, settings } from './test-helpers.js';

async function scanDuplex(mode: ColorMode, dpi: number, sheets: number, pattern = 'document') {
  const sink = recordingSink();
  const input = { source: 'feeder', duplex: true, mode, dpi, paper: 'A4', options: { sheets, pattern } } as const;
  await new DemoDriver().scan('demo:scanner', settings(input), sink, new AbortController().signal);
  return Promise.all(sink.pages.map((page) => decodeBarcodes(page.bytes)));
}

function expected(sheet: number, side: 'F' | 'B', page: number, pages: number): string[] {
  const doc = `SB-DEMO-${String(sheet).padStart(4, '0')}-${side}`;
  return [`CODE-128:${doc}`, `QR-Code:${JSON.stringify({ doc, page, pages })}`];
}

// zbarimg comes from zbar-tools, installed by scripts/setup.sh --test: a missing tool fails the test, never skips it.
describe('demo page barcodes', () => {
  for (const dpi of [200, 300]) {
    it(`decode on every colour A4 page at ${dpi} dpi, fronts and backs in feeding order, all different`, async () => {
      const decoded = await scanDuplex('color', dpi, 2);
      assert.deepEqual(decoded, [expected(1, 'F', 1, 4), expected(1, 'B', 2, 4), expected(2, 'F', 3, 4), expected(2, 'B', 4, 4)]);
      assert.equal(new Set(decoded.flat()).size, 8);
    });
  }

  it('decode in grey at 150 dpi and in line-art at 300 dpi', async () => {
    assert.deepEqual(await scanDuplex('gray', 150, 1), [expected(1, 'F', 1, 2), expected(1, 'B', 2, 2)]);
    assert.deepEqual(await scanDuplex('bw', 300, 1), [expected(1, 'F', 1, 2), expected(1, 'B', 2, 2)]);
  });

  it('are absent from blank backs', async () => {
    assert.deepEqual(await scanDuplex('gray', 200, 2, 'blank-backs'), [expected(1, 'F', 1, 4), [], expected(2, 'F', 3, 4), []]);
  });
});
