/**
 * Recognize and DetectOrientation over the API on generated pages: text,
 * words with boxes in stored-page pixels, a page turned upside down read
 * upright (and its boxes on the page as stored), results per page version,
 * progress events, a blank page, and bad input refused with typed errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { PageInfo, PageOrientation, PageText } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { sessionEvents, type SessionEvents } from '../../test-support/session-events.js';
import { cer, textPage } from './test-pages.js';
import { autoRotatePage } from './auto-rotate.js';
import { recognizeBufferPages } from './recognize-buffer.js';
import { OcrPool } from './worker-pool.js';
import { writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tool, withTempDir, xpath } from '../../formats/test-tools.js';
import { ocrSample } from '../../formats/ocr-sample.js';
import { sharp } from '../../imaging/sharp.js';
import type { JobInfo } from '@scanbridge/protocol';

const DPI = 200;
const mm = (v: number) => Math.round((v * DPI) / 25.4);

describe('Recognize over the API', () => {
  let svc: InProcess;
  let session: string;
  let events: SessionEvents;
  let page: PageInfo;
  let blank: PageInfo;
  let expected: string;

  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const ok = async <T>(method: string, params: object = {}): Promise<T> => {
    const res = await call(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body).slice(0, 400)}`);
    return res.body.result![0] as T;
  };

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    events = await sessionEvents(svc, session);
    const p = await textPage({ text: 'en', dpi: DPI, font: 'liberation-serif' });
    expected = p.text;
    page = (await ok<PageInfo[]>('LoadImages', { data: p.bytes.toString('base64') }))[0]!;
    const white = await textPage({ text: 'en', dpi: DPI, font: 'liberation-serif', repeat: 0 });
    blank = (await ok<PageInfo[]>('LoadImages', { data: white.bytes.toString('base64') }))[0]!;
  });
  after(async () => {
    events.close();
    await svc.close();
  });

  it('answers the text and the words with boxes in page pixels, and reports each page done', async () => {
    const [r] = await ok<PageText[]>('Recognize', { pages: [page.id, blank.id], languages: ['eng'], output: ['text', 'words'] }).then((x) => x.slice(0, 1));
    assert.ok(cer(r!.text!, expected) <= 1, r!.text);
    const words = r!.words!.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    assert.equal(words.map((w) => w.text).join(' '), words.map((w) => w.text).join(' ').trim());
    // "The" was drawn at 25 mm from the left, its baseline 30 mm + 11 pt from the top.
    const first = words[0]!;
    assert.equal(first.text, 'The');
    assert.ok(Math.abs(first.box[0] - mm(25)) <= 4, JSON.stringify(first.box));
    const baseline = mm(30) + Math.round((11 / 72) * DPI);
    assert.ok(first.box[3] >= baseline - 3 && first.box[3] <= baseline + 3 && first.box[1] < baseline - 15, JSON.stringify(first.box));
    assert.equal(r!.words!.width, page.width);
    assert.equal(r!.words!.pageId, page.id);
    for (const w of words) assert.ok(w.box[0] >= 0 && w.box[2] <= page.width && w.box[1] >= 0 && w.box[3] <= page.height && w.confidence > 50, JSON.stringify(w));
    const progress = events.ocr.filter((e) => e.method === 'Recognize');
    assert.deepEqual(progress.map((e) => [e.done, e.total]).sort(), [
      [1, 2],
      [2, 2],
    ]);
  });

  it('answers hOCR that parses and ALTO valid against the ALTO 4 schema, with the same words (from the cache: the page is read once)', async () => {
    const [r] = await ok<PageText[]>('Recognize', { pages: [page.id], languages: ['eng'], output: ['hocr', 'alto', 'words'] });
    const words = r!.words!.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    await withTempDir(async (dir) => {
      const alto = path.join(dir, 'page.alto.xml');
      const hocr = path.join(dir, 'page.hocr');
      await writeFile(alto, r!.alto!);
      await writeFile(hocr, r!.hocr!);
      await tool('xmllint', ['--nonet', '--noout', '--schema', fileURLToPath(new URL('../../../test-fixtures/alto/alto-4-4.xsd', import.meta.url)), alto]);
      await tool('xmllint', ['--nonet', '--noout', hocr]);
      const first = words[0]!;
      assert.equal((await xpath(alto, 'string((//*[local-name()="String"])[1]/@CONTENT)')).trim(), first.text);
      assert.equal((await xpath(alto, 'string((//*[local-name()="String"])[1]/@HPOS)')).trim(), String(first.box[0]));
      assert.equal((await xpath(hocr, 'count(//*[@class="ocrx_word"])')).trim(), String(words.length));
    });
  });

  it('a call cancelled (its signal aborts: the client went away) stops at once, reads no further page, and the pool reads on', async () => {
    const buffer = svc.service.ctx.sessions.get(session).buffer;
    const pool = new OcrPool(1);
    try {
      const controller = new AbortController();
      const done: number[] = [];
      const running = recognizeBufferPages(buffer, { pages: [page.id, blank.id], languages: ['eng'], psm: 11, output: ['text'], orient: false, deskew: false }, { pool, signal: controller.signal, onPage: (d) => done.push(d.done) });
      await new Promise((r) => setTimeout(r, 200));
      controller.abort(new Error('client went away'));
      await assert.rejects(running, /client went away/);
      assert.deepEqual(done, []);
      // The system tesseract the thread ran is ended with it, not left reading.
      await new Promise((r) => setTimeout(r, 300));
      const left = spawnSync('pgrep', ['-P', String(process.pid), '-x', 'tesseract'], { encoding: 'utf8' });
      assert.equal(left.stdout.trim(), '', 'no tesseract process left running');
      const [again] = await recognizeBufferPages(buffer, { pages: [blank.id], languages: ['eng'], psm: 11, output: ['text'], orient: false, deskew: false }, { pool });
      assert.equal(again!.text, '');
    } finally {
      await pool.close();
    }
  });

  it('a blank page answers empty text, not an error', async () => {
    const [r] = await ok<PageText[]>('Recognize', { pages: [blank.index], output: ['text', 'words'] });
    assert.equal(r!.text, '');
    assert.deepEqual(r!.words!.blocks, []);
  });

  it('a page turned upside down is read upright (osd), its words boxed on the page as stored; an edit is a new version, read again', async () => {
    await ok('RotateImages', { pages: [page.id], angle: 180 });
    const [o] = await ok<PageOrientation[]>('DetectOrientation', { pages: [page.id] });
    assert.equal(o!.rotation, 180);
    assert.ok(o!.confidence > 1.5);
    const [r] = await ok<PageText[]>('Recognize', { pages: [page.id], output: ['text', 'words'] });
    assert.ok(r!.version > 1);
    assert.ok(cer(r!.text!, expected) <= 1, r!.text);
    assert.equal(r!.words!.rotation, 180);
    const first = r!.words!.blocks[0]!.lines[0]!.words[0]!;
    // Turned half round: "The" now ends 25 mm from the right edge.
    assert.ok(Math.abs(first.box[2] - (page.width - mm(25))) <= 4, JSON.stringify(first.box));
  });

  it('a page longer than Tesseract takes (34000 px; it refuses above 32767) is read scaled down, its words boxed in page pixels; DetectOrientation answers too', async () => {
    const sample = ocrSample({ blocks: [['Invoice number dated March', 'total amount office records']], dpi: 300, inches: [3, 1.2] });
    const X = 30_000;
    const strip = await sharp({ create: { width: 34_000, height: 400, channels: 3, background: '#ffffff' } })
      .composite([{ input: sample.image, left: X, top: 20 }])
      .withMetadata({ density: 300 })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const [info] = await ok<PageInfo[]>('LoadImages', { data: strip.toString('base64') });
    const [r] = await ok<PageText[]>('Recognize', { pages: [info!.id], languages: ['eng'], output: ['text', 'words'] });
    assert.ok(cer(r!.text!, sample.ocr.text) <= 5, r!.text);
    assert.equal(r!.words!.width, 34_000);
    const got = r!.words!.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    const want = sample.ocr.blocks.flatMap((b) => b.lines.flatMap((l) => l.words));
    assert.equal(got[0]!.text, want[0]!.text);
    // Read at 0.8x: a box is a few page pixels off at most.
    for (const k of [0, 1, 2, 3]) assert.ok(Math.abs(got[0]!.box[k]! - (want[0]!.box[k]! + (k % 2 === 0 ? X : 20))) <= 6, `${JSON.stringify(got[0]!.box)} vs ${JSON.stringify(want[0]!.box)} + (${X}, 20)`);
    const [o] = await ok<PageOrientation[]>('DetectOrientation', { pages: [info!.id] });
    assert.equal(o!.rotation, 0);
    await ok('RemoveImages', { pages: [info!.id] });
  });

  it('reads a region only, and refuses one outside the page', async () => {
    const [r] = await ok<PageText[]>('Recognize', { pages: [blank.id], region: { x: 0, y: 0, width: 400, height: 300 } });
    assert.equal(r!.text, '');
    const res = await call('Recognize', { pages: [page.id], region: { x: 0, y: 0, width: page.width + 1, height: 10 } });
    assert.equal(res.body.error?.code, 'invalid-params');
    assert.match(res.body.error!.message, /region/);
  });

  it('an empty language list is invalid-params; a language not installed is ocr-language-missing naming it and where its data goes', async () => {
    const empty = await call('Recognize', { pages: [0], languages: [] });
    assert.equal(empty.body.error?.code, 'invalid-params');
    assert.match(empty.body.error!.message, /languages/);
    const missing = await call('Recognize', { pages: [0], languages: ['eng', 'tlh'] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error?.code, 'ocr-language-missing');
    assert.match(missing.body.error!.message, /tlh/);
    assert.match(missing.body.error!.message, /ocr/);
    assert.match(missing.body.error!.message, /tlh\.traineddata/);
  });

  it('autoRotate turns a page that arrives upside down upright (a new version) and leaves an upright one as it is', async () => {
    const turned = await textPage({ text: 'fr', dpi: DPI, font: 'liberation-sans', rotate: 180 });
    const [info] = await ok<PageInfo[]>('LoadImages', { data: turned.bytes.toString('base64') });
    const buffer = svc.service.ctx.sessions.get(session).buffer;
    const after = await autoRotatePage(buffer, info!);
    assert.equal(after.version, info!.version + 1);
    const [r] = await ok<PageText[]>('Recognize', { pages: [after.id], languages: ['fra'], orient: false, deskew: false, output: ['text', 'words'] });
    assert.ok(cer(r!.text!, turned.text) <= 1, r!.text);
    assert.equal(r!.words!.rotation, 0);
    // A scan with autoRotate: the demo's upright pages arrive unchanged (version 1).
    const start = await call('StartScan', { device: 'demo:flatbed', settings: { dpi: 150, mode: 'gray', autoRotate: true } });
    assert.equal(start.status, 200, JSON.stringify(start.body));
    let job = start.body.result![0] as JobInfo;
    while (job.state === 'running') job = (await call('WaitJob', { job: job.id })).body.result![0] as JobInfo;
    assert.equal(job.state, 'done', JSON.stringify(job.error));
    const scanned = (await ok<PageInfo[]>('GetImagesInfo')).filter((p) => job.pageIds.includes(p.id));
    assert.deepEqual(
      scanned.map((p) => p.version),
      [1],
    );
  });
});
