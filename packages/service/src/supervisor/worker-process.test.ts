/** Worker processes: ready handshake, validated calls, errors rebuilt, back-pressure, abort, crash, stop-then-kill, no orphans. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ScanbridgeError } from '@scanbridge/protocol';
import { FIXTURE_METHODS } from './fixture-methods.fixture.js';
import { WorkerPool } from './worker-pool.js';
import { WorkerProcess, type WorkerProcessOptions } from './worker-process.js';
import { rejection } from '../test-support/rejection.js';

const ENTRY = fileURLToPath(new URL('./fixture-worker.fixture.js', import.meta.url));
type Methods = typeof FIXTURE_METHODS;

function start(mode = 'normal', extra: Partial<WorkerProcessOptions<Methods>> = {}) {
  return WorkerProcess.start({ entry: ENTRY, methods: FIXTURE_METHODS, name: `the ${mode} fixture worker`, args: [mode], ...extra });
}


const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('worker process', () => {
  it('announces ready with what init returned, answers calls, and gets the parent pid and environment', async () => {
    const { worker, info } = await start('normal', { env: { ...process.env, FIXTURE_MARK: 'inherited' } });
    try {
      assert.deepEqual(info, { mode: 'normal' });
      assert.deepEqual(await worker.call('echo', { value: 'hello' }), { value: 'hello' });
      const who = await worker.call('whoami', { env: 'FIXTURE_MARK' });
      assert.equal(who.pid, worker.pid);
      assert.equal(who.ppid, process.pid);
      assert.equal(who.value, 'inherited');
    } finally {
      await worker.stop();
    }
  });

  it('validates params before sending and results when they come back', async () => {
    const { worker } = await start();
    try {
      const bad = await rejection(worker.call('echo', { value: 42 } as unknown as { value: string }));
      assert.equal(bad.code, 'internal-error');
      assert.match(bad.message, /^echo to the normal fixture worker: params\.value: expected string, got integer 42/);
      assert.ok(worker.alive, 'a call refused on this side does not touch the worker');
      const wrong = await rejection(worker.call('wrongResult', {}));
      assert.equal(wrong.code, 'internal-error');
      assert.match(wrong.message, /broke the worker protocol as the result of wrongResult: message\.n: expected number/);
      await worker.whenExited();
      assert.equal(worker.alive, false, 'a worker that breaks the protocol is stopped');
    } finally {
      await worker.stop();
    }
  });

  it('rebuilds errors as ScanbridgeError with code, message, details and the worker stack', async () => {
    const { worker } = await start();
    try {
      const err = await rejection(worker.call('fail', { code: 'paper-jam', message: 'jammed at sheet 3' }));
      assert.equal(err.code, 'paper-jam');
      assert.equal(err.message, 'jammed at sheet 3');
      assert.deepEqual(err.details, { from: 'fixture' });
      assert.match(err.stack ?? '', /fixture-worker\.fixture\.js/);
      assert.match(err.stack ?? '', /--- in the normal fixture worker \(pid \d+\) ---/);
      const unknown = await rejection(worker.call('fail', { code: 'no-such-code', message: 'odd' }));
      assert.equal(unknown.code, 'internal-error');
      assert.match(unknown.message, /odd \(unknown error code "no-such-code"/);
      assert.deepEqual(await worker.call('echo', { value: 'still here' }), { value: 'still here' });
    } finally {
      await worker.stop();
    }
  });

  it('delivers events in order and the worker waits for each to be handled (back-pressure)', async () => {
    const { worker } = await start();
    try {
      const seen: { i: number; acked: number }[] = [];
      const result = await worker.call('stream', { count: 5 }, {
        onEvent: async (event) => {
          await sleep(20);
          seen.push(event);
        },
      });
      assert.deepEqual(result, { count: 5 });
      // Each event was sent only after the previous one was handled.
      assert.deepEqual(seen, [1, 2, 3, 4, 5].map((i) => ({ i, acked: i - 1 })));
    } finally {
      await worker.stop();
    }
  });

  it('a failing event handler ends the call with its error and aborts the worker side', async () => {
    const { worker } = await start();
    try {
      const err = await rejection(
        worker.call('stream', { count: 100 }, {
          onEvent: (event) => {
            if (event.i === 3) throw new ScanbridgeError('buffer-storage-failed', 'disk full');
          },
        }),
      );
      assert.equal(err.code, 'buffer-storage-failed');
      assert.deepEqual(await worker.call('echo', { value: 'next' }), { value: 'next' });
    } finally {
      await worker.stop();
    }
  });

  it('an aborted call ends in the worker, which stays up for the next call', async () => {
    const { worker } = await start();
    try {
      const controller = new AbortController();
      const call = worker.call('sleepy', { ms: 60_000 }, { signal: controller.signal });
      await sleep(50);
      controller.abort(new ScanbridgeError('job-cancelled', 'cancelled by the test'));
      const err = await rejection(call);
      assert.equal(err.code, 'job-cancelled');
      assert.ok(worker.alive);
      assert.deepEqual(await worker.call('echo', { value: 'after abort' }), { value: 'after abort' });
    } finally {
      await worker.stop();
    }
  });

  it('a call that does not end after an abort gets its worker killed after the grace time', async () => {
    const { worker } = await start('normal', { abortGraceMs: 200 });
    const controller = new AbortController();
    let started!: () => void;
    const stuckNow = new Promise<void>((resolve) => (started = resolve));
    const call = worker.call('stuck', {}, { signal: controller.signal, onEvent: () => started() });
    await stuckNow;
    controller.abort(new ScanbridgeError('job-cancelled', 'cancelled while stuck'));
    const err = await rejection(call);
    assert.equal(err.code, 'job-cancelled');
    assert.equal(err.message, 'cancelled while stuck');
    const exit = await worker.whenExited();
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(alive(worker.pid), false);
  });

  it('a worker whose event loop is stuck in a native call is killed once silent for unresponsiveMs; its call fails with driver-crashed', async () => {
    const { worker } = await start('normal', { unresponsiveMs: 600 });
    const err = await rejection(worker.call('stuck', {}));
    assert.equal(err.code, 'driver-crashed');
    assert.match(err.message, /^the normal fixture worker \(pid \d+\) stopped responding during stuck: nothing from it for \d+ s, so its driver is stuck/);
    assert.equal(err.details?.unresponsiveMs, 600);
    assert.equal((await worker.whenExited()).signal, 'SIGKILL');
  });

  it('a worker that waits off its event loop longer than unresponsiveMs answers pings and is left alone', async () => {
    const { worker } = await start('normal', { unresponsiveMs: 600 });
    try {
      assert.deepEqual(await worker.call('sleepy', { ms: 2500 }), { slept: 2500 });
      assert.ok(worker.alive);
    } finally {
      await worker.stop();
    }
  });

  it('a worker killed mid-call fails that call with driver-crashed; a new worker starts fine', async () => {
    const { worker } = await start();
    const call = worker.call('sleepy', { ms: 60_000 });
    await sleep(50);
    process.kill(worker.pid, 'SIGKILL');
    const err = await rejection(call);
    assert.equal(err.code, 'driver-crashed');
    assert.match(err.message, /^the normal fixture worker \(pid \d+\) was killed by SIGKILL during sleepy; scanbridge is still running, scan again/);
    assert.equal((await rejection(worker.call('echo', { value: 'x' }))).code, 'driver-crashed');
    const crashSelf = await start();
    assert.equal((await rejection(crashSelf.worker.call('crash', {}))).code, 'driver-crashed');
    const next = await start();
    assert.deepEqual(await next.worker.call('echo', { value: 'fresh' }), { value: 'fresh' });
    await next.worker.stop();
  });

  it('a worker that cannot start says why, with its own error code', async () => {
    const err = await rejection(start('fail-start'));
    assert.equal(err.code, 'driver-unavailable');
    assert.equal(err.message, 'libfixture.so.1 is missing; install fixture-utils');
  });

  it('a worker that never announces ready is killed after the ready timeout', async () => {
    const err = await rejection(start('silent', { readyTimeoutMs: 300 }));
    assert.equal(err.code, 'driver-crashed');
    assert.match(err.message, /the silent fixture worker did not start within 0\.3 s/);
  });

  it('a worker that sends an unknown message is stopped and its call fails', async () => {
    const { worker } = await start();
    const err = await rejection(worker.call('bad', {}));
    assert.equal(err.code, 'internal-error');
    assert.match(err.message, /broke the worker protocol after ready/);
    await worker.whenExited();
  });

  it('stop asks first, and kills a worker that does not stop in time', async () => {
    const polite = await start();
    await polite.worker.stop();
    assert.deepEqual(await polite.worker.whenExited(), { code: 0, signal: null });
    const stubborn = await start('stubborn', { stopTimeoutMs: 300 });
    await stubborn.worker.stop();
    assert.deepEqual(await stubborn.worker.whenExited(), { code: null, signal: 'SIGKILL' });
  });

  it('a worker whose parent is killed exits on its own', async () => {
    const parent = spawn(process.execPath, [fileURLToPath(new URL('./orphan-parent.fixture.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.on('data', (d) => (out += d));
    while (!/worker (\d+)\n/.test(out)) await once(parent.stdout, 'data');
    const pid = Number(/worker (\d+)\n/.exec(out)![1]);
    assert.ok(alive(pid));
    parent.kill('SIGKILL');
    await once(parent, 'exit');
    while (alive(pid)) await sleep(50);
  });
});

describe('worker pool', () => {
  const pool = (idleTimeoutMs: number, starts: string[]) =>
    new WorkerPool<Methods>({
      idleTimeoutMs,
      start: async (key) => {
        starts.push(key);
        return (await start()).worker;
      },
    });

  it('starts one worker per key on first use and shares it between uses', async () => {
    const starts: string[] = [];
    const p = pool(60_000, starts);
    const [a, b] = await Promise.all([p.use('dev1', async (w) => w.pid), p.use('dev1', async (w) => w.pid)]);
    const c = await p.use('dev2', async (w) => w.pid);
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.deepEqual(starts, ['dev1', 'dev2']);
    assert.deepEqual(p.keys().sort(), ['dev1', 'dev2']);
    await p.close();
    assert.equal(alive(a), false);
    assert.equal(alive(c), false);
    assert.equal((await rejection(p.use('dev1', async () => 1))).code, 'service-stopping');
  });

  it('stops a worker after the idle timeout, and only when nobody uses it', async () => {
    const p = pool(150, []);
    let pid = 0;
    await p.use('dev', async (w) => {
      pid = w.pid;
      await sleep(400); // longer than the idle timeout, but in use
      assert.ok(w.alive);
    });
    assert.ok(p.has('dev'));
    while (p.has('dev')) await sleep(20);
    while (alive(pid)) await sleep(20);
    await p.close();
  });

  it('release stops the worker; a crashed worker is replaced on the next use', async () => {
    const starts: string[] = [];
    const p = pool(60_000, starts);
    const first = await p.use('dev', async (w) => w.pid);
    await p.release('dev');
    assert.equal(alive(first), false);
    const second = await p.use('dev', async (w) => w.pid);
    process.kill(second, 'SIGKILL');
    while (p.has('dev')) await sleep(20);
    const third = await p.use('dev', async (w) => w.pid);
    assert.notEqual(third, second);
    assert.deepEqual(starts, ['dev', 'dev', 'dev']);
    await p.close();
  });

  it('a worker killed for a call that ignored its abort leaves at once: the next use gets a fresh one, never the old call error', async () => {
    const p = new WorkerPool<Methods>({ idleTimeoutMs: 60_000, start: async () => (await start('normal', { abortGraceMs: 100 })).worker });
    for (let round = 0; round < 3; round++) {
      const controller = new AbortController();
      // Started first, so that the abort below reaches a call in flight.
      let stuckPid = await p.use('dev', async (w) => w.pid);
      let started!: () => void;
      const stuckNow = new Promise<void>((resolve) => (started = resolve));
      const stuck = p.use('dev', (w) => {
        stuckPid = w.pid;
        return w.call('stuck', {}, { signal: controller.signal, onEvent: () => started() });
      });
      // Aborted before it started, the call would end normally and its worker stay (a loaded machine can take that long).
      await stuckNow;
      controller.abort(new ScanbridgeError('job-cancelled', `cancelled in round ${round}`));
      assert.equal((await rejection(stuck)).code, 'job-cancelled');
      // Right after: the killed worker may not have exited yet.
      const next = await p.use('dev', async (w) => {
        // Two processes never hold one device: the new worker starts once the old one is gone.
        assert.equal(alive(stuckPid), false);
        return { pid: w.pid, echo: await w.call('echo', { value: `round ${round}` }) };
      });
      assert.notEqual(next.pid, stuckPid);
      assert.deepEqual(next.echo, { value: `round ${round}` });
    }
    await p.close();
  });
});
