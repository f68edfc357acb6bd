/**
 * SplitDocuments, GetDocuments and saving documents over the API, on pages
 * loaded from generated files: split on a barcode matching a pattern (kept or
 * dropped), on patch codes, on blank pages and where a barcode changes; each
 * document saved as its own PDF (eachDocument) checked with pdfinfo and
 * zbarimg; bad input refused with typed errors, nothing lost.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import type { DocumentInfo, PageInfo, SaveResult } from '@scanbridge/protocol';
import { rpc, startInProcess, tokenFor, type InProcess } from '../test-support/service-harness.js';
import { blankPage, checkSavedPdfs, contentPage, patchPage, separatorPage } from './test-documents.js';

describe('documents over the API', () => {
  let svc: InProcess;
  let session: string;
  let pages: { sep1: Buffer; sep2: Buffer; content: Buffer; blank: Buffer; patch: Buffer; other: Buffer };
  const call = (method: string, params: object = {}) => rpc(svc.base, 'f', method, params, session);
  const ok = async <T>(method: string, params: object = {}): Promise<T> => {
    const res = await call(method, params);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body).slice(0, 400)}`);
    return res.body.result![0] as T;
  };
  const fails = async (method: string, params: object, code: string, ...mentions: string[]) => {
    const res = await call(method, params);
    assert.equal(res.body.error?.code, code, JSON.stringify(res.body));
    for (const m of mentions) assert.ok(res.body.error!.message.includes(m), `${res.body.error!.message} should mention ${m}`);
  };
  /** Empties the buffer and loads these pages in order; answers their ids. */
  const batch = async (...files: Buffer[]): Promise<string[]> => {
    await ok('RemoveAllImages');
    const ids: string[] = [];
    for (const f of files) ids.push((await ok<PageInfo[]>('LoadImages', { data: f.toString('base64') }))[0]!.id);
    return ids;
  };
  const shape = (docs: DocumentInfo[], ids: string[]) => docs.map((d) => [d.barcode?.text ?? null, ...d.pageIds.map((id) => ids.indexOf(id))]);

  before(async () => {
    // Nothing is sent: the upload destination only has to pass its check, so the document check is reached.
    svc = await startInProcess({ 'upload-destinations': 'http://127.0.0.1:9/' });
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const [sep1, sep2, other, content, blank, patch] = await Promise.all([separatorPage('INV-0001'), separatorPage('INV-0002'), separatorPage('misc/../x'), contentPage(), blankPage(), patchPage('Patch T')]);
    pages = { sep1: sep1!, sep2: sep2!, other: other!, content: content!, blank: blank!, patch: patch! };
  });
  after(() => svc.close());

  it('splits on barcodes matching a pattern, keeps the separators, and saves one named PDF per document', async () => {
    const { sep1, sep2, other, content } = pages;
    const ids = await batch(content, sep1, content, other, sep2, content);
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    const events: { event: string; data: { action?: string; ids?: string[] } }[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    const docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'barcode', pattern: '^INV-\\d{4}$' });
    // The page with a code that does not match the pattern is not a separator.
    assert.deepEqual(shape(docs, ids), [
      [null, 0],
      ['INV-0001', 1, 2, 3],
      ['INV-0002', 4, 5],
    ]);
    assert.deepEqual(docs[1]!.barcode, { format: 'Code128', text: 'INV-0001', pageId: ids[1] });
    assert.deepEqual(await ok<DocumentInfo[]>('GetDocuments'), docs);
    await new Promise((r) => setTimeout(r, 100));
    const docEvents = events.filter((e) => e.event === 'buffer' && e.data.action === 'documents');
    assert.deepEqual(docEvents.map((e) => e.data.ids), [docs.map((d) => d.id)]);
    ws.close();

    const saved = await ok<SaveResult>('SaveImages', { format: 'pdf', eachDocument: true });
    await checkSavedPdfs(saved.files, [
      { name: 'document-1.pdf', pages: 1 },
      { name: 'INV-0001.pdf', pages: 3, code: 'INV-0001' },
      { name: 'INV-0002.pdf', pages: 2, code: 'INV-0002' },
    ]);
    const one = await ok<SaveResult>('SaveImages', { format: 'pdf', document: docs[2]!.id });
    await checkSavedPdfs(one.files, [{ name: 'INV-0002.pdf', pages: 2, code: 'INV-0002' }]);
  });

  it('drops separators when asked; any code separates without a pattern, and a hostile text names a safe file', async () => {
    const { sep1, other, content } = pages;
    const ids = await batch(sep1, content, content, other, content);
    const docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'barcode', formats: ['Code128'], dropSeparator: true });
    assert.deepEqual(shape(docs, ids), [
      ['INV-0001', 1, 2],
      ['misc/../x', 4],
    ]);
    assert.equal(await ok<number>('GetImageCount'), 3);
    const saved = await ok<SaveResult>('SaveImages', { format: 'pdf', eachDocument: true });
    await checkSavedPdfs(saved.files, [
      { name: 'INV-0001.pdf', pages: 2 },
      { name: 'misc_x.pdf', pages: 1 },
    ]);
  });

  it('splits on patch codes and on blank pages, dropping them; documents are named by the first code of their first page', async () => {
    const { patch, blank, content, sep1, sep2 } = pages;
    let ids = await batch(sep1, content, patch, sep2, patch, content);
    let docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'patch', patchCodes: ['Patch T'], dropSeparator: true });
    assert.deepEqual(shape(docs, ids), [
      ['INV-0001', 0, 1],
      ['INV-0002', 3],
      [null, 5],
    ]);
    // Patch codes not asked for are no separators.
    ids = await batch(content, patch, content);
    docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'patch', patchCodes: ['Patch 1', 'Patch 2'] });
    assert.deepEqual(shape(docs, ids), [[null, 0, 1, 2]]);

    ids = await batch(sep1, blank, sep2, content, blank);
    docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'blank', dropSeparator: true });
    assert.deepEqual(shape(docs, ids), [
      ['INV-0001', 0],
      ['INV-0002', 2, 3],
    ]);
    assert.equal(await ok<number>('GetImageCount'), 3);
  });

  it('splits where a barcode changes; a split of some pages leaves the other documents alone', async () => {
    const { sep1, sep2, content } = pages;
    const ids = await batch(sep1, content, sep1, sep2, content);
    const docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'barcodeChange' });
    assert.deepEqual(shape(docs, ids), [
      ['INV-0001', 0, 1, 2],
      ['INV-0002', 3, 4],
    ]);
    // Splitting the first document's pages on every barcode: the second document stays.
    const again = await ok<DocumentInfo[]>('SplitDocuments', { on: 'barcode', pages: [0, 1, 2] });
    assert.deepEqual(shape(again, ids), [
      ['INV-0001', 0, 1],
      ['INV-0001', 2],
      ['INV-0002', 3, 4],
    ]);
    assert.equal(again[2]!.id, docs[1]!.id);
    const saved = await ok<SaveResult>('SaveImages', { format: 'pdf', eachDocument: true });
    assert.deepEqual(
      saved.files.map((f) => f.name),
      ['INV-0001.pdf', 'INV-0001-2.pdf', 'INV-0002.pdf'],
    );
  });

  it('refuses bad input with typed errors naming what is allowed; nothing is lost', async () => {
    const ids = await batch(pages.sep1, pages.content);
    await fails('SplitDocuments', { on: 'qr' }, 'invalid-params', 'barcode', 'patch', 'blank', 'barcodeChange');
    await fails('SplitDocuments', { on: 'barcode', pattern: '([' }, 'invalid-params', 'pattern', 'regular expression');
    await fails('SplitDocuments', { on: 'barcode', pattern: 'x'.repeat(201) }, 'invalid-params', 'pattern', '200');
    // Shapes that backtrack exponentially are refused; the service would test them on its main thread.
    for (const slow of ['(a+)+$', '^(\\w+\\s?)*$', '(x|xx)*y', '^(\\d+)-\\1$']) await fails('SplitDocuments', { on: 'barcode', pattern: slow }, 'invalid-params', 'pattern', 'exponential');
    await fails('SplitDocuments', { on: 'barcode', formats: ['QR'] }, 'invalid-params', 'formats.0', 'QRCode');
    await fails('SplitDocuments', { on: 'patch', patchCodes: ['Patch 5'] }, 'invalid-params', 'patchCodes.0', 'Patch T');
    await fails('SplitDocuments', { on: 'barcode', pages: ['no-such-page'] }, 'invalid-params', 'pages.0', 'GetImagesInfo');
    await fails('SaveImages', { format: 'pdf', eachDocument: true }, 'invalid-params', 'eachDocument', 'SplitDocuments');
    await fails('SaveImages', { format: 'pdf', document: 'dnope' }, 'document-not-found', 'dnope', 'SplitDocuments');
    const docs = await ok<DocumentInfo[]>('SplitDocuments', { on: 'barcode' });
    await fails('SaveImages', { format: 'pdf', document: 'dnope' }, 'document-not-found', 'GetDocuments');
    await fails('SaveImages', { format: 'pdf', document: docs[0]!.id, pages: [0] }, 'invalid-params', 'pages', 'document');
    await fails('StartUpload', { format: 'pdf', document: 'dnope', destination: { method: 'put', url: 'http://127.0.0.1:9/upload' } }, 'document-not-found');
    assert.deepEqual((await ok<PageInfo[]>('GetImagesInfo')).map((p) => p.id), ids);
  });
});
