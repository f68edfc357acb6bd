/** Every buffer operation over the API, and the event each one pushes to the session's WebSocket. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import WebSocket from 'ws';
import type { EventEnvelope, PageInfo } from '@scanbridge/protocol';
import { startInProcess, rpc, tokenFor, type InProcess } from '../test-support/service-harness.js';

async function png(shade: number): Promise<string> {
  return (await sharp({ create: { width: 30 + shade, height: 20, channels: 3, background: { r: shade, g: shade, b: shade } } }).png().toBuffer()).toString('base64');
}

class EventSocket {
  readonly events: EventEnvelope[] = [];
  private waiters: Array<() => void> = [];
  readonly replies: unknown[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(data.toString());
      if ('event' in msg) this.events.push(msg);
      else this.replies.push(msg);
      for (const w of this.waiters.splice(0)) w();
    });
  }
  static async open(url: string): Promise<EventSocket> {
    const ws = new WebSocket(url);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new EventSocket(ws);
  }
  async next(predicate: (e: EventEnvelope) => boolean, timeoutMs = 5000): Promise<EventEnvelope> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex(predicate);
      if (i >= 0) return this.events.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

describe('buffer operations over the API', () => {
  let svc: InProcess;
  let session: string;
  let events: EventSocket;
  const call = async (method: string, params: object = {}) => {
    const res = await rpc(svc.base, 'f', method, params, session);
    assert.equal(res.status, 200, `${method}: ${JSON.stringify(res.body)}`);
    return res.body.result as unknown[];
  };
  const ids = async () => ((await call('GetImagesInfo'))[0] as PageInfo[]).map((p) => p.id);

  before(async () => {
    svc = await startInProcess();
    session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    events = await EventSocket.open(`ws://127.0.0.1:${svc.ports.http}/ws?id=${session}&token=${tokenFor(svc.base)}`);
  });
  after(async () => {
    events.ws.close();
    await svc.close();
  });

  it('add, count and list with info; each add pushes an add event with the index', async () => {
    for (let i = 0; i < 4; i++) {
      const [info] = (await call('AddImage', { data: await png(i * 50), xdpi: 300, tags: i % 2 ? ['odd'] : [] })) as [PageInfo];
      assert.equal(info.index, i);
      const ev = await events.next((e) => e.event === 'buffer');
      assert.deepEqual(ev.data, { action: 'add', ids: [info.id], index: i, count: i + 1 });
      assert.equal(ev.id, session);
    }
    assert.deepEqual(await call('GetImageCount'), [4]);
    const [pages] = (await call('GetImagesInfo')) as [PageInfo[]];
    assert.equal(pages.length, 4);
    assert.deepEqual(
      pages.map((p) => [p.index, p.width, p.height, p.xdpi, p.ydpi, p.mode, p.bitDepth, p.format]),
      [0, 1, 2, 3].map((i) => [i, 30 + i * 50, 20, 300, 300, 'color', 8, 'png']),
    );
    assert.ok(pages.every((p) => p.byteSize > 0 && p.version >= 1 && p.selected === false));
    assert.deepEqual(pages.map((p) => p.tags), [[], ['odd'], [], ['odd']]);
  });

  it('move and swap keep ids stable while indices shift, and push move events', async () => {
    const before = await ids();
    const [order] = (await call('MoveImage', { page: 0, to: 3 })) as [string[]];
    assert.deepEqual(order, [before[1], before[2], before[3], before[0]]);
    const ev = await events.next((e) => e.event === 'buffer');
    assert.equal((ev.data as { action: string }).action, 'move');
    assert.deepEqual((ev.data as { order: string[] }).order, order);
    const [swapped] = (await call('SwapImages', { a: before[1]!, b: 3 })) as [string[]];
    assert.deepEqual(swapped, [before[0], before[2], before[3], before[1]]);
    await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'move');
    assert.deepEqual(await ids(), swapped);
  });

  it('select, tag, find by tag; tagging pushes modify', async () => {
    const all = await ids();
    assert.deepEqual(await call('SelectImages', { pages: [3, 1] }), [[all[1], all[3]]]);
    assert.deepEqual(await call('GetSelectedImages'), [[all[1], all[3]]]);
    // Selecting changes the pages' `selected` flag: a modify event names them.
    const selectEvent = await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'modify');
    assert.deepEqual(new Set((selectEvent.data as { ids: string[] }).ids), new Set([all[1], all[3]]));
    await call('SetImageTags', { pages: [all[0]!, 2], tags: ['invoice'], mode: 'add' });
    const ev = await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'modify');
    assert.deepEqual(new Set((ev.data as { ids: string[] }).ids), new Set([all[0], all[2]]));
    assert.deepEqual(await call('FindImagesByTag', { tag: 'invoice' }), [[all[0], all[2]]]);
  });

  it('remove one, remove selected, and the ids of the rest do not change', async () => {
    const all = await ids();
    assert.deepEqual(await call('RemoveImages', { pages: [all[0]!] }), [3]);
    const ev = await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'remove');
    assert.deepEqual(ev.data, { action: 'remove', ids: [all[0]], count: 3 });
    assert.deepEqual(await call('RemoveSelectedImages'), [1]);
    await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'remove');
    assert.deepEqual(await ids(), [all[2]]);
  });

  it('GetImage answers the stored bytes of a page', async () => {
    const data = await png(77);
    const [info] = (await call('AddImage', { data })) as [PageInfo];
    const [image] = (await call('GetImage', { page: info.id })) as [{ data: string; format: string }];
    assert.equal(image.format, 'png');
    assert.equal(image.data, data);
  });

  it('the WebSocket carries the same envelope as HTTP', async () => {
    events.ws.send(JSON.stringify({ id: session, method: 'GetImageCount', params: {}, cmdId: 'w1' }));
    const deadline = Date.now() + 5000;
    while (events.replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(events.replies.shift(), { id: session, method: 'GetImageCount', result: [2], cmdId: 'w1' });
    events.ws.send('not json');
    while (events.replies.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal((events.replies.shift() as { error: { code: string } }).error.code, 'invalid-json');
  });

  it('a WebSocket for an unknown session is closed with a typed error', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${svc.ports.http}/ws?id=unknown&token=${tokenFor(svc.base)}`);
    const [first, close] = await Promise.all([
      new Promise<string>((resolve) => ws.once('message', (d) => resolve(d.toString()))),
      new Promise<number>((resolve) => ws.once('close', (code) => resolve(code))),
    ]);
    assert.equal(JSON.parse(first).error.code, 'unknown-session');
    assert.equal(close, 4404);
  });

  it('RemoveAllImages pushes one remove event with every id; CloseSession ends the session', async () => {
    const all = await ids();
    await call('RemoveAllImages');
    const ev = await events.next((e) => e.event === 'buffer' && (e.data as { action: string }).action === 'remove');
    assert.deepEqual(new Set((ev.data as { ids: string[] }).ids), new Set(all));
    await call('CloseSession');
    const gone = await rpc(svc.base, 'f', 'GetImageCount', {}, session);
    assert.equal(gone.body.error!.code, 'unknown-session');
  });
});
