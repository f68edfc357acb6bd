/**
 * The OCR result cache on a real session buffer: bounded by words, least
 * recently used out first; a removed page and an edited one (new version)
 * are forgotten at once, a tag change (same version) is not. Results are
 * made up: what is tested is what is kept, not the engine.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { OcrPage, PageInfo } from '@scanbridge/protocol';
import { rpc, startInProcess, type InProcess } from '../../test-support/service-harness.js';
import { ocrSample } from '../../formats/ocr-sample.js';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { OcrResultCache } from './result-cache.js';

/** A result of `words` words (the cache counts one more per page). */
function result(pageId: string, words: number): OcrPage {
  const line = { box: [0, 0, 1, 1] as [number, number, number, number], words: Array.from({ length: words }, (_, i) => ({ text: `w${i}`, box: [0, 0, 1, 1] as [number, number, number, number], confidence: 90 })) };
  return { pageId, width: 10, height: 10, dpi: 150, languages: ['eng'], confidence: 90, text: '', blocks: [{ box: line.box, lines: [line] }], engine: 'tesseract' };
}

describe('OCR result cache', () => {
  let svc: InProcess;
  let session: string;
  let buffer: ImageBuffer;
  let pages: PageInfo[];
  const ok = async <T>(method: string, params: object = {}): Promise<T> => {
    const res = await rpc(svc.base, 'f', method, params, session);
    assert.equal(res.status, 200, JSON.stringify(res.body.error));
    return res.body.result![0] as T;
  };

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const image = ocrSample({ blocks: [['tiny']], dpi: 75, inches: [1, 1] }).image.toString('base64');
    pages = [];
    for (let i = 0; i < 4; i++) pages.push(...(await ok<PageInfo[]>('LoadImages', { data: image })));
    buffer = svc.service.ctx.sessions.get(session).buffer;
  });
  after(() => svc.close());

  it('holds at most its words, the least recently used page out first', () => {
    const cache = new OcrResultCache(30);
    const [a, b, c] = pages;
    cache.set(buffer, a!.id, a!.version, 'eng', result(a!.id, 9));
    cache.set(buffer, b!.id, b!.version, 'eng', result(b!.id, 9));
    cache.set(buffer, b!.id, b!.version, 'deu', result(b!.id, 4));
    assert.equal(cache.words, 10 + 10 + 5);
    assert.ok(cache.get(buffer, a!.id, a!.version, 'eng'));
    // c does not fit beside a and b: b, used longest ago, goes (both its results).
    cache.set(buffer, c!.id, c!.version, 'eng', result(c!.id, 9));
    assert.equal(cache.get(buffer, b!.id, b!.version, 'eng'), undefined);
    assert.equal(cache.get(buffer, b!.id, b!.version, 'deu'), undefined);
    assert.ok(cache.get(buffer, a!.id, a!.version, 'eng'));
    assert.ok(cache.get(buffer, c!.id, c!.version, 'eng'));
    assert.equal(cache.words, 20);
    assert.equal(cache.pages, 2);
    // A result larger than the whole budget is still kept, alone, until the next one.
    cache.set(buffer, b!.id, b!.version, 'eng', result(b!.id, 100));
    assert.equal(cache.pages, 1);
    assert.ok(cache.get(buffer, b!.id, b!.version, 'eng'));
  });

  it('forgets a page removed or edited at once, and keeps one whose tags changed', async () => {
    const cache = new OcrResultCache();
    for (const p of pages) cache.set(buffer, p.id, p.version, 'eng', result(p.id, 3));
    assert.equal(cache.pages, 4);
    const [tagged, rotated, removed] = pages;
    await ok('SetImageTags', { pages: [tagged!.id], tags: ['x'] });
    await ok('RotateImages', { pages: [rotated!.id], angle: 90 });
    await ok('RemoveImages', { pages: [removed!.id] });
    assert.ok(cache.get(buffer, tagged!.id, tagged!.version, 'eng'));
    assert.equal(cache.get(buffer, rotated!.id, rotated!.version, 'eng'), undefined);
    assert.equal(cache.pages, 2);
    assert.equal(cache.words, 8);
    await ok('RemoveAllImages');
    assert.equal(cache.pages, 0);
    assert.equal(cache.words, 0);
  });
});
