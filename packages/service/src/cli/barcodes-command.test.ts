/** `scanbridge barcodes FILE...` on a PNG and a two-page PDF (made by img2pdf): text and JSON out, bad input typed. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BarcodeResult } from '@scanbridge/protocol';
import { runCli } from '../test-support/service-harness.js';
import { tool } from '../formats/test-tools.js';
import { composePage, symbology } from '../addons/barcode/test-corpus.js';

describe('scanbridge barcodes', () => {
  let dir: string;
  let png: string;
  let pdf: string;
  const qr = symbology('QRCode');
  const dm = symbology('DataMatrix');
  const c39 = symbology('Code39');

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-barcodes-cli-'));
    png = path.join(dir, 'one.png');
    pdf = path.join(dir, 'two pages.pdf');
    await writeFile(png, (await composePage({ dpi: 200, codes: [{ symbology: qr, x: 20, y: 20 }] })).bytes);
    const first = path.join(dir, 'a.png');
    const second = path.join(dir, 'b.jpg');
    await writeFile(first, (await composePage({ dpi: 200, codes: [{ symbology: dm, x: 30, y: 30 }] })).bytes);
    await writeFile(second, (await composePage({ dpi: 200, codes: [{ symbology: c39, x: 30, y: 200 }], output: 'jpeg40' })).bytes);
    await writeFile(pdf, (await tool('img2pdf', [first, second])).stdout);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('prints one line per code: file (#page for several pages), format, text', async () => {
    const { code, stdout, stderr } = await runCli(['barcodes', png, pdf]);
    assert.equal(code, 0, stderr);
    assert.deepEqual(stdout.trim().split('\n'), [`${png}\tQRCode\thttps://example.com/doc/4711?ä=1`, `${pdf}#1\tDataMatrix\t${dm.text}`, `${pdf}#2\tCode39\t${c39.text}`]);
  });

  it('--json answers each page with the results ReadBarcodes gives; --formats limits them', async () => {
    const { code, stdout, stderr } = await runCli(['barcodes', '--json', '--formats', 'Code39,QRCode', pdf]);
    assert.equal(code, 0, stderr);
    const pages = JSON.parse(stdout) as { file: string; page: number; barcodes: BarcodeResult[]; timedOut: boolean }[];
    assert.deepEqual(
      pages.map((p) => [p.page, p.barcodes.map((b) => [b.format, b.text, Buffer.from(b.bytes, 'base64').toString()])]),
      [
        [1, []],
        [2, [['Code39', c39.text, c39.text]]],
      ],
    );
  });

  it('refuses an unknown format naming the allowed ones; a missing file fails, the others are still read', async () => {
    const bad = await runCli(['barcodes', '--formats', 'QR', png]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /invalid-params: --formats\.0: .*"QRCode"/);
    const missing = await runCli(['barcodes', path.join(dir, 'nope.png'), png]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.png: ENOENT/);
    assert.match(missing.stdout, /QRCode/);
  });
});
