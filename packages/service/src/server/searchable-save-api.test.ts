/**
 * Searchable PDFs over the API: SaveImages and StartUpload with `ocr` write
 * each page's image as without it and its recognised text under it, through
 * the service's OCR engine; pages are drawn with known text (ocr-sample.ts).
 * pdftotext, pdfimages and qpdf check the files; the engine's pool is counted
 * to show that a page already recognised is not read again.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PageInfo, PageText, SaveResult, UploadInfo } from '@scanbridge/protocol';
import { multipartReceiver, type MultipartReceiver } from '../addons/upload/test-receivers.js';
import { ocrSample } from '../formats/ocr-sample.js';
import { sharedOcrPool } from '../addons/ocr/worker-pool.js';
import { tool } from '../formats/test-tools.js';
import { rpc, startInProcess, type InProcess } from '../test-support/service-harness.js';
import { sessionEvents, type SessionEvents } from '../test-support/session-events.js';

/** Events come over the WebSocket, beside the HTTP answer: waited for a moment before they are asserted. */
async function settled(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ready(); i++) await new Promise((r) => setTimeout(r, 10));
}

const LINES = [
  ['Invoice 2024-0317 dated 12.03.2024', 'Total amount due: 1,234.56 EUR'],
  ['Größe und Übermaß der Straße'],
];

/** The words of a text, for comparing what pdftotext reads with what was drawn. */
const words = (s: string) => s.split(/\s+/).filter(Boolean);

describe('searchable PDF over the API', () => {
  let svc: InProcess;
  let mp: MultipartReceiver;
  /** Pages the engine's pool has read (each Recognize of a page not in the cache is one). */
  const engine = { runs: 0 };
  let session: string;
  let pages: PageInfo[];
  let dir: string;
  let events: SessionEvents;

  const call = (method: string, params: object) => rpc(svc.base, 'f', method, params, session);
  const save = async (params: object): Promise<Buffer> => {
    const res = await call('SaveImages', params);
    assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 400));
    return Buffer.from((res.body.result![0] as SaveResult).files[0]!.data!, 'base64');
  };
  const text = async (pdf: Buffer, name: string) => {
    const file = path.join(dir, name);
    await writeFile(file, pdf);
    await tool('qpdf', ['--check', file]);
    return (await tool('pdftotext', ['-enc', 'UTF-8', file, '-'])).stdout.toString();
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-searchable-'));
    mp = await multipartReceiver();
    mp.keepBytes = true;
    svc = await startInProcess({ 'upload-destinations': `${mp.url}/` });
    const pool = sharedOcrPool();
    const run = pool.run.bind(pool);
    pool.run = ((...args: Parameters<typeof run>) => {
      engine.runs++;
      return run(...args);
    }) as typeof pool.run;
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    events = await sessionEvents(svc, session);
    const png = ocrSample({ blocks: LINES, inches: [6, 2.5], points: 14 }).image;
    const jpeg = ocrSample({ blocks: [['Scanned in colour as JPEG']], inches: [5, 1.2], points: 14, format: 'jpeg' }).image;
    pages = [];
    for (const data of [png, jpeg]) {
      const res = await call('LoadImages', { data: data.toString('base64'), xdpi: 300, ydpi: 300 });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      pages.push(...(res.body.result![0] as PageInfo[]));
    }
  });
  after(async () => {
    events.close();
    await svc.close();
    await mp.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('SaveImages pdf with ocr: the text under the pages, the images as without it, each page read once, each reported done', async () => {
    const plain = await save({ format: 'pdf' });
    // Page 0 recognised by the client first: the save takes it from the cache and reads page 1 only.
    const recognized = await call('Recognize', { pages: [0], languages: ['deu', 'eng'], output: ['text'] });
    assert.equal(recognized.status, 200, JSON.stringify(recognized.body));
    assert.equal(engine.runs, 1);
    const searchable = await save({ format: 'pdf', ocr: { languages: ['deu', 'eng'] } });
    assert.equal(engine.runs, 2);
    // Progress per page, as Recognize reports it (the page from the cache counts: it is done too).
    const progress = () => events.ocr.filter((e) => e.method === 'SaveImages');
    await settled(() => progress().length >= 2);
    assert.deepEqual(progress().map((e) => [e.page, e.index, e.done, e.total]).sort(), [
      [pages[0]!.id, 0, 1, 2],
      [pages[1]!.id, 1, 2, 2],
    ].sort());
    assert.equal((await text(plain, 'plain.pdf')).trim(), '', 'no text without ocr');
    const [first, second] = (await text(searchable, 'ocr.pdf')).split('\f');
    assert.deepEqual(words(first!), words(LINES.flat().join(' ')));
    assert.deepEqual(words(second!), words('Scanned in colour as JPEG'));
    for (const name of ['plain', 'ocr']) await tool('pdfimages', ['-all', path.join(dir, `${name}.pdf`), path.join(dir, name)]);
    const images = (await readdir(dir)).filter((f) => f.startsWith('plain-'));
    assert.ok(images.length >= 2, images.join()); // auto compression may draw a page in two layers
    for (const f of images) assert.ok((await readFile(path.join(dir, f))).equals(await readFile(path.join(dir, f.replace('plain-', 'ocr-')))), f);
    // Saved again (PDF/A this time): the pages come from the engine's cache.
    const archive = await save({ format: 'pdf', pdfa: true, ocr: { languages: ['deu', 'eng'] } });
    assert.equal(engine.runs, 2);
    assert.ok((await text(archive, 'a.pdf')).includes('Größe und Übermaß der Straße'));

    // The words Recognize answers (from the same cache) are where pdftotext finds them, within 1 mm.
    const res = await call('Recognize', { pages: [0, 1], languages: ['deu', 'eng'], output: ['words'] });
    assert.equal(engine.runs, 2);
    const models = (res.body.result![0] as PageText[]).map((p) => p.words!);
    const html = (await tool('pdftotext', ['-bbox', path.join(dir, 'ocr.pdf'), '-'])).stdout.toString();
    const drawn = html.split('<page ').slice(1).map((page) => [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">/g)].map((m) => m.slice(1, 5).map(Number)));
    let worst = 0;
    for (const [i, model] of models.entries()) {
      const k = 72 / model.dpi;
      const lines = model.blocks.flatMap((b) => b.lines.flatMap((l) => l.words.map((w) => ({ w, l }))));
      assert.equal(drawn[i]!.length, lines.length);
      for (const [j, { w, l }] of lines.entries()) {
        const [x0, y0, x1, y1] = drawn[i]![j]!;
        const off = Math.max(Math.abs(x0! - w.box[0] * k), Math.abs(x1! - w.box[2] * k), Math.abs(y0! - l.box[1] * k), Math.abs(y1! - l.box[3] * k));
        worst = Math.max(worst, off);
        assert.ok(off < 72 / 25.4, `page ${i} "${w.text}" is ${(off / (72 / 25.4)).toFixed(2)} mm off`);
      }
    }
    console.log(`searchable save: words within ${(worst / (72 / 25.4)).toFixed(2)} mm of the engine's boxes`);
  });

  it('answers a searchable PDF as the HTTP body too', async () => {
    const res = await fetch(`${svc.base}/f/SaveImages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await import('../test-support/service-harness.js')).adminHeaders(svc.base) },
      body: JSON.stringify({ id: session, params: { format: 'pdf', binary: true, pages: [1], ocr: { languages: ['eng'] } } }),
    });
    assert.equal(res.status, 200);
    assert.deepEqual(words(await text(Buffer.from(await res.arrayBuffer()), 'binary.pdf')), words('Scanned in colour as JPEG'));
  });

  it('StartUpload pdf with ocr uploads the searchable PDF', async () => {
    const started = await call('StartUpload', { format: 'pdf', pages: [0], ocr: { languages: ['deu', 'eng'] }, destination: { method: 'post', url: `${mp.url}/in` } });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const done = (await call('WaitUpload', { upload: (started.body.result![0] as UploadInfo).id, timeout: 120 })).body.result![0] as UploadInfo;
    assert.equal(done.state, 'done', JSON.stringify(done.error));
    const file = mp.received.at(-1)!.files[0]!;
    assert.equal(file.mimetype, 'application/pdf');
    assert.deepEqual(words(await text(file.bytes!, 'upload.pdf')), words(LINES.flat().join(' ')));
    const progress = () => events.ocr.filter((e) => e.method === 'StartUpload');
    await settled(() => progress().length >= 1);
    assert.deepEqual(progress(), [{ type: 'progress', method: 'StartUpload', upload: done.id, page: pages[0]!.id, index: 0, done: 1, total: 1 }]);
  });

  it('refuses ocr outside PDF and without languages, naming the parameter; the pages stay', async () => {
    const tiff = await call('SaveImages', { format: 'tiff', ocr: { languages: ['eng'] } });
    assert.equal(tiff.body.error?.code, 'invalid-params');
    assert.equal(tiff.body.error?.message, 'params.ocr applies to pdf output, not tiff');
    const none = await call('SaveImages', { format: 'pdf', ocr: { languages: [] } });
    assert.equal(none.body.error?.code, 'invalid-params');
    assert.match(none.body.error!.message, /ocr\.languages/);
    const upload = await call('StartUpload', { format: 'jpeg', ocr: { languages: ['eng'] }, destination: { method: 'post', url: `${mp.url}/in` } });
    assert.equal(upload.body.error?.code, 'invalid-params');
    assert.equal((await call('GetImageCount', {})).body.result![0], pages.length);
  });
});

describe('searchable PDF in a language that is not installed', () => {
  it('is refused with ocr-language-missing before anything is written, also as a binary answer', async () => {
    const svc = await startInProcess();
    try {
      const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      await rpc(svc.base, 'f', 'LoadImages', { data: ocrSample({ blocks: [['x']], inches: [1, 1] }).image.toString('base64') }, session);
      for (const binary of [false, true]) {
        const res = await rpc(svc.base, 'f', 'SaveImages', { format: 'pdf', binary, ocr: { languages: ['eng', 'xyz'] } }, session);
        assert.equal(res.status, 400);
        assert.equal(res.body.error?.code, 'ocr-language-missing');
        assert.match(res.body.error!.message, /xyz/);
      }
    } finally {
      await svc.close();
    }
  });
});
