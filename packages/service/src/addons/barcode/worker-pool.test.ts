/**
 * The pool of reading threads: reads in threads, replaces a thread that dies
 * mid-read (the call fails typed, the next one works), and gives up a task on
 * abort without losing the thread slot.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError } from '@scanbridge/protocol';
import { BarcodePool } from './worker-pool.js';
import { greyPixels } from './read-page.js';
import { composePage, renderCode, symbology } from './test-corpus.js';

describe('barcode worker pool', () => {
  const pool = new BarcodePool(2);
  let small: { grey: Uint8Array; width: number; height: number };
  let page: { grey: Uint8Array; width: number; height: number };
  const qr = symbology('QRCode');

  before(async () => {
    small = await greyPixels(await renderCode(qr, 200));
    const composed = await composePage({ dpi: 300, codes: [{ symbology: symbology('Code128'), x: 20, y: 20 }], noise: 20 });
    page = await greyPixels(composed.bytes);
  });
  after(() => pool.close());

  it('reads codes in its threads', async () => {
    const codes = await pool.run({ ...small, options: { formats: ['QRCodeModel2'] } });
    assert.deepEqual(
      codes.map((c) => [c.format, c.text]),
      [['QRCode', qr.text]],
    );
    assert.ok(pool.started >= 1 && pool.started <= 2);
  });

  it('a thread that dies mid-read fails the call with barcode-reader-crashed and is replaced', async () => {
    const before = pool.started;
    const running = pool.run({ ...page, options: { tryHarder: true, tryRotate: true, tryInvert: true } });
    // Give the task a moment to reach its thread, then end that thread as a crash would.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(pool.killBusyWorkerForTest(), true);
    await assert.rejects(running, (err: unknown) => err instanceof ScanbridgeError && err.code === 'barcode-reader-crashed');
    const again = await Promise.all([pool.run({ ...small, options: {} }), pool.run({ ...small, options: {} })]);
    assert.deepEqual(
      again.map((codes) => codes.map((c) => c.text)),
      [[qr.text], [qr.text]],
    );
    assert.ok(pool.started > before, 'a new thread was started');
  });

  it('an aborted task rejects with the abort reason and its thread is replaced', async () => {
    const controller = new AbortController();
    const running = pool.run({ ...page, options: { tryHarder: true, tryInvert: true } }, controller.signal);
    await new Promise((r) => setTimeout(r, 50));
    controller.abort(new Error('given up'));
    await assert.rejects(running, /given up/);
    assert.deepEqual(
      (await pool.run({ ...small, options: {} })).map((c) => c.text),
      [qr.text],
    );
  });
});
