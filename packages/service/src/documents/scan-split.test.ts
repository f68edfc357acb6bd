/**
 * Separation end to end with real scanners: the demo scanner splits a duplex
 * batch as it arrives (blank backs dropped, or a barcode pattern on chosen
 * fronts); the SANE `test` backend scans a feeder batch between which
 * generated separator sheets are loaded, and SplitDocuments splits it. Each
 * document is saved as its own PDF (eachDocument), checked with pdfinfo and
 * zbarimg.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import WebSocket from 'ws';
import type { DocumentInfo, JobInfo, PageInfo, SaveResult } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, startInProcess, tempHome, tokenFor, type ChildService, type InProcess } from '../test-support/service-harness.js';
import { documentId } from '../devices/demo/page-render.js';
import { createTestBackend, type TestBackend } from '../devices/sane/test-backend.js';
import { checkSavedPdfs, separatorPage } from './test-documents.js';

type Caller = (method: string, params?: object) => Promise<{ status: number; body: { result?: unknown[]; error?: { code: string; message: string } } }>;

async function scan(call: Caller, device: string, settings: object): Promise<JobInfo> {
  const start = await call('StartScan', { device, settings });
  assert.equal(start.status, 200, JSON.stringify(start.body));
  let job = start.body.result![0] as JobInfo;
  while (job.state === 'running') job = (await call('WaitJob', { job: job.id, timeout: 30 })).body.result![0] as JobInfo;
  assert.equal(job.state, 'done', JSON.stringify(job.error));
  return job;
}

describe('documents split while the demo scanner scans', () => {
  let svc: InProcess;
  let session: string;
  const call: Caller = (method, params = {}) => rpc(svc.base, 'f', method, params, session);

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(() => svc.close());

  it('a duplex batch with blank backs: each sheet a document named by its front code, the blank backs dropped', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
    const events: { event: string; data: { action?: string; type?: string } }[] = [];
    ws.on('message', (d) => events.push(JSON.parse(d.toString())));
    await new Promise((resolve) => ws.once('open', resolve));
    const job = await scan(call, 'demo:scanner', { source: 'feeder', duplex: true, dpi: 150, mode: 'gray', options: { sheets: 3, pattern: 'blank-backs' }, split: { on: 'blank', dropSeparator: true } });
    assert.equal(job.pages, 6);
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    assert.equal(pages.length, 3, 'the three blank backs are gone');
    const docs = (await call('GetDocuments')).body.result![0] as DocumentInfo[];
    assert.deepEqual(
      docs.map((d) => [d.barcode?.text, d.pageIds]),
      [1, 2, 3].map((sheet, i) => [documentId(sheet, 'front'), [pages[i]!.id]]),
    );
    // Documents were reported as they grew; the job ended after the last page joined.
    assert.ok(events.some((e) => e.event === 'buffer' && e.data.action === 'documents'));
    ws.close();
    const saved = (await call('SaveImages', { format: 'pdf', eachDocument: true })).body.result![0] as SaveResult;
    await checkSavedPdfs(
      saved.files,
      [1, 2, 3].map((sheet) => ({ name: `${documentId(sheet, 'front')}.pdf`, pages: 1, code: documentId(sheet, 'front') })),
    );
  });

  it('a simplex batch split on fronts whose code matches a pattern, separators kept', async () => {
    await call('RemoveAllImages');
    await scan(call, 'demo:scanner', { source: 'feeder', dpi: 150, mode: 'gray', options: { sheets: 5 }, split: { on: 'barcode', formats: ['Code128'], pattern: '^SB-DEMO-000[14]-F$' } });
    const pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    const docs = (await call('GetDocuments')).body.result![0] as DocumentInfo[];
    assert.deepEqual(
      docs.map((d) => [d.barcode?.text, d.pageIds.map((id) => pages.findIndex((p) => p.id === id))]),
      [
        [documentId(1, 'front'), [0, 1, 2]],
        [documentId(4, 'front'), [3, 4]],
      ],
    );
    const saved = (await call('SaveImages', { format: 'pdf', eachDocument: true })).body.result![0] as SaveResult;
    await checkSavedPdfs(saved.files, [
      { name: `${documentId(1, 'front')}.pdf`, pages: 3, code: documentId(1, 'front') },
      { name: `${documentId(4, 'front')}.pdf`, pages: 2, code: documentId(4, 'front') },
    ]);
  });
});

describe('documents from a SANE test backend batch with separator sheets', () => {
  let backend: TestBackend;
  let svc: ChildService;
  let home: string;
  let session: string;
  const call: Caller = (method, params = {}) => rpc(svc.base, 'f', method, params, session);

  before(async () => {
    backend = await createTestBackend(1);
    home = await tempHome();
    svc = await startChild(home, [], backend.env);
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
    await backend.remove();
  });

  it('scanned pages with separator sheets loaded between them split into documents, saved one PDF each', async () => {
    // Four scanned pages, then a separator sheet before the first and the third.
    await scan(call, 'sane:test:0', { source: 'feeder', mode: 'gray', dpi: 75, paper: 'A5', options: { 'test-picture': 'Grid' } });
    let pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    const scanned = pages.length;
    assert.ok(scanned >= 4, `${scanned} pages`);
    await call('RemoveImages', { pages: pages.slice(4).map((p) => p.id) });
    for (const [index, text] of [[2, 'CASE-B'], [0, 'CASE-A']] as const) {
      const res = await rpc(svc.base, 'f', 'LoadImages', { data: (await separatorPage(text)).toString('base64'), index }, session);
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
    pages = (await call('GetImagesInfo')).body.result![0] as PageInfo[];
    const split = await call('SplitDocuments', { on: 'barcode', pattern: '^CASE-' });
    assert.equal(split.status, 200, JSON.stringify(split.body));
    const docs = split.body.result![0] as DocumentInfo[];
    assert.deepEqual(
      docs.map((d) => [d.barcode?.text, d.pageIds.map((id) => pages.findIndex((p) => p.id === id))]),
      [
        ['CASE-A', [0, 1, 2]],
        ['CASE-B', [3, 4, 5]],
      ],
    );
    const res = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: session, params: { format: 'pdf', eachDocument: true } }) });
    const saved = ((await res.json()) as { result: [SaveResult] }).result[0];
    await checkSavedPdfs(saved.files, [
      { name: 'CASE-A.pdf', pages: 3, code: 'CASE-A' },
      { name: 'CASE-B.pdf', pages: 3, code: 'CASE-B' },
    ]);
  });
});
