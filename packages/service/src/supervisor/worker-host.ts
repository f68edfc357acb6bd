/**
 * The worker side of a device worker: announces `ready` (or why it cannot
 * start), runs one call at a time (a device does one thing at a time), streams
 * events, lets the parent abort a call, and exits when asked to stop or when
 * its parent is gone, so that no worker outlives the service.
 */
import type { z } from '../util/zod-stack.js';
import { formatIssues, ScanbridgeError } from '@scanbridge/protocol/core';
import { toWorkerError } from './worker-errors.js';
import { PARENT_PID_ENV, ToWorker, type FromWorker, type WorkerMethods } from './worker-messages.js';

export interface CallContext<E> {
  /** Fires when the parent aborts the call (a cancelled scan) or goes away. */
  readonly signal: AbortSignal;
  /** Send an event; the call goes on at once. */
  emit(event: E): void;
  /**
   * Send an event and wait until the parent has handled it (back-pressure).
   * Rejects with the parent's error, or with the abort reason.
   */
  request(event: E): Promise<void>;
}

export type WorkerHandlers<M extends WorkerMethods> = {
  [K in keyof M]: (params: z.output<M[K]['params']>, ctx: CallContext<z.input<M[K]['event']>>) => Promise<z.input<M[K]['result']>>;
};

export interface WorkerDefinition<M extends WorkerMethods> {
  readonly methods: M;
  readonly handlers: WorkerHandlers<M>;
  /** Runs before `ready`; what it returns travels with `ready`, what it throws with `startup-failed`. */
  init(): Promise<unknown>;
  /** Runs on `stop` and when the parent is gone, before the process exits. */
  shutdown?(): Promise<void>;
}

/** How often the worker checks that its parent still lives (a parent killed with SIGKILL cannot say goodbye). */
const PARENT_CHECK_MS = 1000;
/** A shutdown hook that hangs (a driver stuck in the kernel) does not keep the process alive. */
const SHUTDOWN_LIMIT_MS = 3000;

function send(message: FromWorker): void {
  if (process.connected) process.send!(message);
}

export function serveWorker<M extends WorkerMethods>(definition: WorkerDefinition<M>): void {
  if (!process.send) throw new Error('serveWorker: this process was not started with an IPC channel (use WorkerProcess.start)');
  const parentPid = Number(process.env[PARENT_PID_ENV]);
  const calls = new Map<number, { controller: AbortController; acks: Map<number, { resolve: () => void; reject: (e: unknown) => void }> }>();
  let queue: Promise<void> = Promise.resolve();
  let exiting = false;

  const exit = async (code: number): Promise<void> => {
    if (exiting) return;
    exiting = true;
    const reason = new ScanbridgeError('service-stopping', 'the device worker is stopping');
    for (const call of calls.values()) call.controller.abort(reason);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve(definition.shutdown?.()).catch(() => undefined),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_LIMIT_MS))),
    ]);
    clearTimeout(timer);
    process.exit(code);
  };

  const run = async (id: number, method: string, rawParams: unknown): Promise<void> => {
    const call = calls.get(id);
    if (!call) return;
    try {
      if (call.controller.signal.aborted) throw call.controller.signal.reason;
      if (!Object.hasOwn(definition.methods, method)) {
        throw new ScanbridgeError('internal-error', `unknown worker method "${method}"; known: ${Object.keys(definition.methods).join(', ')}`);
      }
      const spec = definition.methods[method]!;
      const parsed = spec.params.safeParse(rawParams);
      if (!parsed.success) throw new ScanbridgeError('internal-error', `worker method ${method}: ${formatIssues(parsed.error, rawParams, 'params')}`);
      let seq = 0;
      const ctx: CallContext<unknown> = {
        signal: call.controller.signal,
        emit: (event) => send({ type: 'event', id, event }),
        request: (event) => {
          if (call.controller.signal.aborted) return Promise.reject(call.controller.signal.reason);
          const n = ++seq;
          return new Promise<void>((resolve, reject) => {
            call.acks.set(n, { resolve, reject });
            send({ type: 'event', id, seq: n, event });
          });
        },
      };
      const handler = definition.handlers[method] as (params: unknown, ctx: CallContext<unknown>) => Promise<unknown>;
      const value = await handler(parsed.data, ctx);
      send({ type: 'result', id, value });
    } catch (err) {
      send({ type: 'error', id, error: toWorkerError(err) });
    } finally {
      calls.delete(id);
    }
  };

  process.on('message', (raw: unknown) => {
    const parsed = ToWorker.safeParse(raw);
    if (!parsed.success) {
      // Without a valid call id there is nobody to answer; the parent's own validation makes this a bug.
      process.stderr.write(`worker ${process.pid}: invalid message from the parent: ${formatIssues(parsed.error, raw, 'message')}\n`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'call': {
        calls.set(message.id, { controller: new AbortController(), acks: new Map() });
        queue = queue.then(() => run(message.id, message.method, message.params));
        break;
      }
      case 'abort': {
        const call = calls.get(message.id);
        if (!call) break;
        const reason = new ScanbridgeError('job-cancelled', 'the call was cancelled');
        call.controller.abort(reason);
        for (const ack of call.acks.values()) ack.reject(reason);
        call.acks.clear();
        break;
      }
      case 'ack': {
        const ack = calls.get(message.id)?.acks.get(message.seq);
        if (!ack) break;
        calls.get(message.id)!.acks.delete(message.seq);
        if (message.error) ack.reject(new ScanbridgeError('internal-error', message.error.message));
        else ack.resolve();
        break;
      }
      case 'stop':
        void exit(0);
        break;
      case 'ping':
        send({ type: 'pong' });
        break;
    }
  });
  process.on('disconnect', () => void exit(0));
  if (Number.isInteger(parentPid) && parentPid > 0) {
    setInterval(() => {
      if (process.ppid !== parentPid) void exit(0);
    }, PARENT_CHECK_MS).unref();
  }

  definition.init().then(
    (info) => send({ type: 'ready', pid: process.pid, info: info ?? null }),
    (err: unknown) => {
      const message: FromWorker = { type: 'startup-failed', error: toWorkerError(err) };
      if (process.connected) process.send!(message, () => process.exit(1));
      else process.exit(1);
    },
  );
}
