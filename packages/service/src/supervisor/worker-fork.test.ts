/**
 * A worker forked before anything talks to it (worker-fork.ts: `scanbridge
 * run` forks the SANE discovery this way) loses nothing it said meanwhile:
 * taken over after its ready, its start failure or its exit, it behaves as a
 * worker WorkerProcess.start forked itself; one nobody takes is killed.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FIXTURE_METHODS } from './fixture-methods.fixture.js';
import { forkWorker, type ForkedWorker } from './worker-fork.js';
import { WorkerProcess } from './worker-process.js';
import { rejection } from '../test-support/rejection.js';

const ENTRY = fileURLToPath(new URL('./fixture-worker.fixture.js', import.meta.url));

const takeOver = (forked: ForkedWorker, mode: string) =>
  WorkerProcess.start({ entry: ENTRY, methods: FIXTURE_METHODS, name: `the early ${mode} fixture worker`, args: [mode], forked });

describe('a worker forked early', () => {
  it('taken over after it announced ready, answers as a worker forked by WorkerProcess', async () => {
    const forked = forkWorker(ENTRY, ['normal']);
    const { child } = forked;
    // Its ready has arrived (and was held) before anyone takes it over.
    await once(child, 'message');
    const { worker, info } = await takeOver(forked, 'normal');
    try {
      assert.deepEqual(info, { mode: 'normal' });
      assert.equal(worker.pid, child.pid);
      assert.deepEqual(await worker.call('echo', { value: 'early' }), { value: 'early' });
    } finally {
      await worker.stop();
    }
  });

  it('taken over before it is ready, starts as usual', async () => {
    const { worker, info } = await takeOver(forkWorker(ENTRY, ['normal']), 'normal');
    try {
      assert.deepEqual(info, { mode: 'normal' });
    } finally {
      await worker.stop();
    }
  });

  it("taken over after it failed to start and exited, rejects with the worker's own error", async () => {
    const forked = forkWorker(ENTRY, ['fail-start']);
    const { child } = forked;
    await once(child, 'exit');
    const err = await rejection(takeOver(forked, 'fail-start'));
    assert.equal(err.code, 'driver-unavailable');
    assert.match(err.message, /libfixture\.so\.1 is missing/);
  });

  it('abandoned (the service did not start), is killed; once taken, abandon leaves it alone', async () => {
    const forked = forkWorker(ENTRY, ['normal']);
    const { child } = forked;
    const exited = once(child, 'exit');
    forked.abandon();
    const [, signal] = await exited;
    assert.equal(signal, 'SIGKILL');

    const kept = forkWorker(ENTRY, ['normal']);
    const { worker } = await takeOver(kept, 'normal');
    try {
      kept.abandon();
      assert.deepEqual(await worker.call('echo', { value: 'still here' }), { value: 'still here' });
    } finally {
      await worker.stop();
    }
  });
});
