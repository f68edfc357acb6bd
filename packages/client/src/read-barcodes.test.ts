/** client.readBarcodes against a real service, from Node: typed results, and bad input mapped to the typed error. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import { composePage, symbology } from '@scanbridge/service/dist/addons/barcode/test-corpus.js';
import type { ScanbridgeClient } from './client.js';
import type { BarcodeResult, PageBarcodes } from './index.js';
import { withConnectedClient } from './test-support/node-client.js';

describe('client.readBarcodes', () => {
  let client!: ScanbridgeClient;
  withConnectedClient((c) => (client = c));

  it('answers typed results per page', async () => {
    const aztec = symbology('Aztec');
    const page = await composePage({ dpi: 200, codes: [{ symbology: aztec, x: 30, y: 30 }] });
    const [info] = await client.loadImages({ data: page.bytes.toString('base64') });
    const results: PageBarcodes[] = await client.readBarcodes({ pages: [info!.id], formats: ['Aztec'] });
    const codes: BarcodeResult[] = results[0]!.barcodes;
    assert.deepEqual(
      codes.map((c) => [c.format, c.text, c.pageId]),
      [['Aztec', aztec.text, info!.id]],
    );
  });

  it('an unknown format is an invalid-params ScanbridgeError', async () => {
    await assert.rejects(
      // @ts-expect-error: not a format, as a page without types could send
      client.readBarcodes({ pages: [0], formats: ['Aztec Code'] }),
      (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-params' && err.message.includes('Aztec'),
    );
  });
});
