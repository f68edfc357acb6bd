/**
 * A load is all or nothing: its pages become visible together, once, or not
 * at all — while it runs, when it fails, and after a kill -9 at any point.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import type { PageInfo } from '@scanbridge/protocol';
import { adminHeaders, rpc, startChild, startInProcess, tempHome, type ChildService, type InProcess } from '../test-support/service-harness.js';
import { drawnPdf } from '../formats/test-tools.js';
import { sessionEvents } from '../test-support/session-events.js';

const PAGES = 40;

async function pageFiles(home: string, session: string): Promise<number> {
  try {
    return (await readdir(path.join(home, 'cache', session))).filter((n) => n.endsWith('.sbc')).length;
  } catch {
    return 0;
  }
}

function loadRequest(base: string, session: string, pdf: Buffer, params: object): Promise<Response> {
  return fetch(`${base}/f/LoadImages?id=${session}&params=${encodeURIComponent(JSON.stringify(params))}`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', ...adminHeaders(base) },
    body: pdf,
  });
}

const photo = async (colour: string) => (await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg().toBuffer()).toString('base64');

describe('a load is all or nothing', () => {
  let home: string;
  let svc: ChildService | undefined;
  let pdf: Buffer;

  before(async () => {
    home = await tempHome();
    pdf = await drawnPdf(PAGES);
  });
  after(async () => {
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  // Kill points: counted in page files the load has written; Infinity kills after it answered.
  for (const killAt of [1, 20, PAGES - 1, Infinity]) {
    it(`kill -9 ${killAt === Infinity ? 'after the load answered' : `after ${killAt} of ${PAGES} pages were written`} leaves ${killAt === Infinity ? 'all' : 'none'} of them`, async () => {
      await svc?.stop();
      svc = await startChild(home);
      const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
      for (const colour of ['#a0522d', '#2e8b57']) assert.equal((await rpc(svc.base, 'f', 'AddImage', { data: await photo(colour) }, session)).status, 200);
      const before = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];

      const answer = loadRequest(svc.base, session, pdf, { dpi: 100, index: 1 }).then(
        async (res) => res.status,
        () => 'cut',
      );
      if (killAt === Infinity) assert.equal(await answer, 200);
      else {
        while ((await pageFiles(home, session)) < before.length + killAt) {
          if (svc.child.exitCode !== null) assert.fail('the service ended');
          await new Promise((r) => setTimeout(r, 2));
        }
      }
      await svc.kill9();
      await answer;
      svc = await startChild(home);

      const after = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
      const ids = after.map((p) => p.id);
      if (killAt === Infinity) {
        assert.equal(after.length, before.length + PAGES);
        assert.deepEqual([ids[0], ids.at(-1)], [before[0]!.id, before[1]!.id]);
      } else {
        assert.deepEqual(ids, before.map((p) => p.id), `${after.length - before.length} pages of the interrupted load are back`);
      }
      assert.equal(await pageFiles(home, session), after.length, 'no page file is left that no page owns');
      await svc.stop();
      svc = undefined;
    });
  }
});

describe('a load that fails shows none of its pages at any time', () => {
  let svc: InProcess;
  let session: string;

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  });
  after(async () => {
    await svc.close();
  });

  it('a PDF whose 30th page cannot be rendered adds nothing, and the earlier pages stay as they were', async () => {
    for (const colour of ['#a0522d', '#2e8b57', '#4682b4']) await rpc(svc.base, 'f', 'AddImage', { data: await photo(colour) }, session);
    const before = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    // At 100 dpi a 14400 pt square page is 20000 x 20000 pixels: over the page size limit.
    const bad = await drawnPdf(PAGES, (i) => (i === 29 ? [14400, 14400] : [595.28, 841.89]));

    const ws = await sessionEvents(svc, session);
    const events = ws.buffer;

    let ended = false;
    const answer = loadRequest(svc.base, session, bad, { dpi: 100, index: 1 }).then(async (res) => {
      ended = true;
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string } } };
    });
    const counts = new Set<number>();
    let polls = 0;
    while (!ended) {
      counts.add((await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result![0] as number);
      polls++;
    }
    const res = await answer;
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.code, 'invalid-image');
    assert.match(res.body.error!.message, /page 30\b/);
    assert.ok(polls > 5, `the buffer was watched ${polls} times during the load`);
    assert.deepEqual([...counts], [before.length], 'the page count never changed during the load');
    ws.close();
    assert.deepEqual(events, [], 'no buffer event was sent');

    const after = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    assert.deepEqual(after, before);
    assert.equal(await pageFiles(svc.home, session), before.length, 'the files of the failed load are deleted');
  });

  it('a LoadImages whose client goes away before the answer adds nothing, so a retry does not load the file twice', async () => {
    const before = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    const gone = new AbortController();
    const cut = fetch(`${svc.base}/f/LoadImages?id=${session}&params=${encodeURIComponent(JSON.stringify({ dpi: 100 }))}`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf', ...adminHeaders(svc.base) },
      body: await drawnPdf(PAGES),
      signal: gone.signal,
    }).catch(() => 'cut');
    while ((await pageFiles(svc.home, session)) < before.length + 2) await new Promise((r) => setTimeout(r, 2));
    gone.abort();
    assert.equal(await cut, 'cut');
    // PDFs load one at a time: this one answers after the cut load has ended, however it ended.
    const retry = await loadRequest(svc.base, session, await drawnPdf(1), { dpi: 50 });
    assert.equal(retry.status, 200);
    const after = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
    assert.equal(after.length, before.length + 1, 'only the retried load added its page');
    assert.equal(await pageFiles(svc.home, session), after.length);
  });

  it('a load that succeeds sends one add event naming all its pages', async () => {
    const ws = await sessionEvents(svc, session);
    const events = ws.buffer;
    const count = (await rpc(svc.base, 'f', 'GetImageCount', {}, session)).body.result![0] as number;
    const res = await loadRequest(svc.base, session, await drawnPdf(5), { dpi: 50, index: 1 });
    assert.equal(res.status, 200);
    const [added] = ((await res.json()) as { result: [PageInfo[]] }).result;
    assert.deepEqual(added.map((p) => p.index), [1, 2, 3, 4, 5]);
    while (events.length === 0) await new Promise((r) => setTimeout(r, 10));
    ws.close();
    assert.deepEqual(events, [{ action: 'add', ids: added.map((p) => p.id), index: 1, count: count + 5 }]);
  });
});
