/**
 * Long polls answer within their own timeout, however long that is: no
 * connection timeout cuts a request whose body has arrived while its answer
 * is being worked out (the slow-client limits are for receiving requests).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { JobInfo } from '@scanbridge/protocol';
import { startInProcess, rpc, type InProcess } from '../test-support/service-harness.js';

describe('long polls', () => {
  let svc: InProcess;
  before(async () => {
    svc = await startInProcess();
  });
  after(() => svc?.close());

  it('WaitJob with timeout 60 on a job of about 90 s answers at the job end, after more than 30 s of silence', async () => {
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    // Three sheets, 30 s each: a slow scanner.
    const started = await rpc(svc.base, 'f', 'StartScan', { device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, options: { sheets: 3, pageDelay: 30_000 } } }, session);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    const job = (started.body.result![0] as JobInfo).id;
    // Past the first page, so that the wait below lasts about a minute (with the job still running when it starts).
    await new Promise((r) => setTimeout(r, 40_000));
    const asked = Date.now();
    const waited = await rpc(svc.base, 'f', 'WaitJob', { job, timeout: 60 }, session);
    assert.equal(waited.status, 200, JSON.stringify(waited.body));
    // The job ends 90 s after its start at the earliest: this answer came after more than 30 s of silence.
    assert.ok(Date.now() - asked > 30_000, `WaitJob answered after ${Date.now() - asked} ms`);
    let info = waited.body.result![0] as JobInfo;
    // A loaded machine makes the slow scanner slower still: the wait then ends at its timeout, and the next one sees the end.
    while (info.state === 'running') info = (await rpc(svc.base, 'f', 'WaitJob', { job, timeout: 60 }, session)).body.result![0] as JobInfo;
    assert.equal(info.state, 'done');
    assert.equal(info.pages, 3);
  });
});
