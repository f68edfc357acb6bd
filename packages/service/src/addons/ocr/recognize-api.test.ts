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
