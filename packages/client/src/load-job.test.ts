/** client.load() against a real service: a file loaded as a job, its pages arriving once, together; damaged files and cancel add nothing. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ScanbridgeError, type BufferEvent } from '@scanbridge/protocol';
import { drawnPdf } from '@scanbridge/service/dist/formats/test-tools.js';
import type { ScanbridgeClient } from './client.js';
import type { JobProgress } from './scan-job.js';
import { withConnectedClient } from './test-support/node-client.js';

describe('client.load()', () => {
  let client!: ScanbridgeClient;
  withConnectedClient((c) => (client = c));

  it('loads a PDF as a job: progress of the total, every page yielded once, one buffer event', async () => {
    const buffer: BufferEvent[] = [];
    const off = client.on('buffer', (e) => buffer.push(e));
    const totals: (number | undefined)[] = [];
    const offJob = client.on('job', (e) => (e.type === 'progress' ? totals.push(e.total) : undefined));
    const pdf = new Blob([new Uint8Array(await drawnPdf(12))], { type: 'application/pdf' });
    const job = await client.load(pdf, { dpi: 72 });
    assert.equal(job.info.kind, 'load');
    const progress: JobProgress[] = [];
    job.on('progress', (p) => progress.push(p));
    const yielded = [];
    for await (const page of job.pages()) yielded.push(page);
    const done = await job.done;
    off();
    offJob();
    assert.equal(done.state, 'done');
    assert.deepEqual(yielded.map((p) => p.id), done.pageIds);
    assert.deepEqual(yielded.map((p) => p.index), Array.from({ length: 12 }, (_, i) => i));
    assert.equal(await client.getImageCount(), 12);
    assert.ok(totals.length > 0 && totals.every((t) => t === 12), JSON.stringify(totals));
    assert.ok(progress.every((p) => p.total === 12 && p.fraction === p.page / 12), JSON.stringify(progress));
    assert.deepEqual(buffer, [{ action: 'add', ids: done.pageIds, index: 0, count: 12 }]);
  });

  it('rejects done with invalid-image for a damaged file, and adds nothing', async () => {
    const before = await client.getImagesInfo();
    const bad = await drawnPdf(6, (i) => (i === 4 ? [14400, 14400] : [595.28, 841.89]));
    const job = await client.load(bad, { dpi: 100 });
    await assert.rejects(job.done, (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-image' && /page 5\b/.test(err.message));
    assert.deepEqual(await client.getImagesInfo(), before);
  });

  it('checks its parameters before sending anything', async () => {
    await assert.rejects(client.load(new Uint8Array([1]), { dpi: 5 }), (err: unknown) => err instanceof ScanbridgeError && err.code === 'invalid-params' && /dpi/.test(err.message));
  });
});
