/**
 * A worker for the supervisor's tests, with one method per behaviour to
 * check (echo, typed failure, streamed events with back-pressure, slow and
 * stuck calls, a crash, a protocol violation). The first argument picks how
 * it starts: normally, failing, or never announcing ready; "stubborn" ignores
 * requests to stop.
 *   node fixture-worker.fixture.js [normal|fail-start|silent|stubborn]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ScanbridgeError, type ErrorCode } from '@scanbridge/protocol';
import { FIXTURE_METHODS } from './fixture-methods.fixture.js';
import { serveWorker } from './worker-host.js';

const mode = process.argv[2] ?? 'normal';

serveWorker({
  methods: FIXTURE_METHODS,
  async init() {
    if (mode === 'fail-start') throw new ScanbridgeError('driver-unavailable', 'libfixture.so.1 is missing; install fixture-utils');
    if (mode === 'silent') await new Promise(() => undefined);
    return { mode };
  },
  async shutdown() {
    if (mode === 'stubborn') await new Promise(() => undefined);
  },
  handlers: {
    echo: async ({ value }) => ({ value }),
    fail: async ({ code, message }) => {
      throw new ScanbridgeError(code as ErrorCode, message, { from: 'fixture' });
    },
    stream: async ({ count }, ctx) => {
      let acked = 0;
      for (let i = 1; i <= count; i++) {
        await ctx.request({ i, acked });
        acked++;
      }
      return { count };
    },
    sleepy: async ({ ms }, ctx) => {
      await sleep(ms, undefined, { signal: ctx.signal }).catch(() => {
        throw ctx.signal.reason;
      });
      return { slept: ms };
    },
    // Busy-waits: a driver stuck in a native call cannot hear an abort.
    // The event goes out before the loop blocks, so that a test aborts a call that is surely stuck.
    stuck: async (_, ctx) => {
      ctx.emit({ started: true });
      await sleep(20);
      for (;;) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
    },
    crash: async () => {
      process.kill(process.pid, 'SIGKILL');
      return {};
    },
    bad: async () => {
      process.send!({ type: 'surprise', id: 1 });
      await new Promise(() => undefined);
      return {};
    },
    wrongResult: async () => ({ n: 'not a number' }) as unknown as { n: number },
    whoami: async ({ env }) => ({ pid: process.pid, ppid: process.ppid, value: process.env[env] ?? null }),
  },
});
