/**
 * The service side of a worker process: starts it with the parent's pid,
 * waits for `ready` (or the reason it cannot start), calls its methods with
 * validated params, results and events, aborts calls (killing a worker that
 * does not stop in time), and turns a crash into a typed error for every
 * call in flight, so that a driver crash fails a job and nothing else.
 */
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { z } from '../util/zod-stack.js';
import { formatIssues, ScanbridgeError } from '@scanbridge/protocol/core';
import { fromWorkerError, toWorkerError } from './worker-errors.js';
import { spawnWorker, type ForkedWorker } from './worker-fork.js';
import { FromWorker, type EventOf, type ParamsOf, type ResultOf, type ToWorker, type WorkerMethods } from './worker-messages.js';

export interface WorkerProcessOptions<M extends WorkerMethods> {
  /** Absolute path of the worker's entry module (one that calls serveWorker). */
  entry: string;
  methods: M;
  /** Names the worker in errors, e.g. "the SANE worker of sane:test:0". */
  name: string;
  args?: readonly string[];
  /** Environment of the worker; the parent's by default (SANE_CONFIG_DIR and friends must reach the driver). */
  env?: NodeJS.ProcessEnv;
  /** How long the worker may take to announce `ready`. */
  readyTimeoutMs?: number;
  /** How long a worker asked to stop may take before it is killed. */
  stopTimeoutMs?: number;
  /** How long an aborted call may take to end before its worker is killed. */
  abortGraceMs?: number;
  /**
   * While calls run, a worker that answers nothing (not even a ping) for this
   * long is stuck in a native call that blocks its event loop (a driver that
   * deadlocked): it is killed and its calls fail with driver-crashed.
   */
  unresponsiveMs?: number;
  /** Runs at a lower priority (util/background-priority.ts): a worker whose answers can wait, such as discovery. */
  background?: boolean;
  /** The worker, forked already with the same entry and args (worker-fork.ts): taken over instead of forking another. */
  forked?: ForkedWorker;
}

export interface CallOptions<E> {
  signal?: AbortSignal;
  /** Called in order for each event; the worker waits for events it sent with back-pressure until this resolves. */
  onEvent?: (event: E) => void | Promise<void>;
}

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface PendingCall {
  method: string;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  onEvent: ((event: unknown) => void | Promise<void>) | undefined;
  /** Events are handled one after the other, in the order the worker sent them. */
  chain: Promise<void>;
  /** Set once the call is aborted (or its event handler failed): later events are dropped. */
  aborted: boolean;
  /** Kills the worker if an aborted call does not end in time. */
  graceTimer: NodeJS.Timeout | undefined;
  /** The service-side error that ended the call (its event handler failed); wins over what the worker answers. */
  failure: unknown;
  cleanup(): void;
}

const STDERR_TAIL = 4000;
/** Generous: a worker's own work (encoding a page) never blocks its event loop for more than a second or two. */
const UNRESPONSIVE_MS = 30_000;

export class WorkerProcess<M extends WorkerMethods> extends EventEmitter<{ exit: [WorkerExit]; ending: [] }> {
  private readonly pending = new Map<number, PendingCall>();
  private nextId = 1;
  private stderrTail = '';
  private exitInfo: WorkerExit | null = null;
  private readonly exited: Promise<WorkerExit>;
  /** Why the worker is being ended by us; pending calls reject with it instead of a crash error. */
  private endReason: ScanbridgeError | null = null;
  /** Set when we kill or stop the worker (see `ending`). */
  private ended = false;
  /** When the worker last sent anything; watched while calls run. */
  private lastHeard = 0;
  private watchdog: NodeJS.Timeout | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly options: WorkerProcessOptions<M>,
  ) {
    super();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        // Messages sent just before the exit are delivered before this turn ends.
        setImmediate(() => {
          this.failPending();
          this.emit('exit', { code, signal });
          resolve({ code, signal });
        });
      });
    });
    // A failed send or kill is followed by the exit, which is where calls learn the outcome.
    child.on('error', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString()).slice(-STDERR_TAIL);
    });
  }

  /** Start a worker and wait for `ready`; rejects with the worker's own error when it cannot start. */
  static async start<M extends WorkerMethods>(options: WorkerProcessOptions<M>): Promise<{ worker: WorkerProcess<M>; info: unknown }> {
    const taken = options.forked?.take();
    const child = taken?.child ?? spawnWorker(options.entry, options.args ?? [], options.env, { background: options.background });
    const worker = new WorkerProcess(child, options);
    const info = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new ScanbridgeError('driver-crashed', `${options.name} did not start within ${(options.readyTimeoutMs ?? 20_000) / 1000} s; it was stopped`));
        worker.kill();
      }, options.readyTimeoutMs ?? 20_000);
      const onMessage = (raw: unknown): void => {
        const parsed = FromWorker.safeParse(raw);
        const message = parsed.success ? parsed.data : null;
        if (message?.type === 'ready') finish(() => resolve(message.info));
        else if (message?.type === 'startup-failed') finish(() => reject(fromWorkerError(message.error, options.name)));
        else finish(() => reject(worker.protocolError(raw, 'before ready')));
      };
      const onExit = (): void => finish(() => reject(worker.crashError('while starting')));
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        settle();
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', (err) => finish(() => reject(new ScanbridgeError('driver-crashed', `${options.name} could not be started: ${err.message}`))));
      // What a worker forked earlier said meanwhile (its ready, or its end); it says nothing more before a call.
      taken?.replay();
    }).catch(async (err: unknown) => {
      if (!worker.exitInfo) worker.kill();
      await worker.exited;
      throw err;
    });
    child.on('message', (raw: unknown) => worker.onMessage(raw));
    return { worker, info };
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  get alive(): boolean {
    return this.exitInfo === null;
  }

  /** Calls in flight (a pool does not stop a busy worker for being idle). */
  get busy(): boolean {
    return this.pending.size > 0;
  }

  call<K extends keyof M & string>(method: K, params: ParamsOf<M, K>, options: CallOptions<EventOf<M, K>> = {}): Promise<ResultOf<M, K>> {
    if (!this.alive) return Promise.reject(this.endReason ?? this.crashError(`before ${method}`));
    const spec = this.options.methods[method]!;
    const checked = spec.params.safeParse(params);
    if (!checked.success) return Promise.reject(new ScanbridgeError('internal-error', `${method} to ${this.options.name}: ${formatIssues(checked.error, params, 'params')}`));
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const id = this.nextId++;
    return new Promise<ResultOf<M, K>>((resolve, reject) => {
      const onAbort = (): void => this.abortCall(id, signal!.reason);
      const call: PendingCall = {
        method,
        resolve: resolve as (value: unknown) => void,
        reject,
        onEvent: options.onEvent as PendingCall['onEvent'],
        chain: Promise.resolve(),
        aborted: false,
        graceTimer: undefined,
        failure: undefined,
        cleanup: () => {
          clearTimeout(call.graceTimer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      this.pending.set(id, call);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'call', id, method, params: checked.data });
      this.watch();
    });
  }

  /**
   * Ask the worker to end a call. If it has not ended after the grace time
   * (a driver stuck in a read), the worker is killed: the call rejects with
   * `reason` and the next call starts a fresh worker.
   */
  private abortCall(id: number, reason: unknown): void {
    const call = this.pending.get(id);
    if (!call || call.aborted) return;
    call.aborted = true;
    this.send({ type: 'abort', id });
    call.graceTimer = setTimeout(() => {
      if (!this.pending.has(id)) return;
      this.settle(id, (c) => c.reject(reason));
      this.kill(reason instanceof ScanbridgeError ? (reason as ScanbridgeError) : undefined);
    }, this.options.abortGraceMs ?? 1000);
  }

  /**
   * Ping the worker while calls run and kill it once it has been silent for
   * `unresponsiveMs`. A worker whose driver blocks in a read off its event
   * loop still answers; one deadlocked in a native call (a driver that killed
   * a thread holding the C library's locks) never ends otherwise.
   */
  private watch(): void {
    if (this.watchdog) return;
    const limit = this.options.unresponsiveMs ?? UNRESPONSIVE_MS;
    const every = Math.max(50, Math.floor(limit / 6));
    let tick = Date.now();
    this.lastHeard = tick;
    this.watchdog = setInterval(() => {
      const now = Date.now();
      // Our own event loop was stalled: the worker's answers may be waiting unread.
      if (now - tick > 2 * every) this.lastHeard = now;
      tick = now;
      if (this.pending.size === 0 || !this.alive) {
        clearInterval(this.watchdog);
        this.watchdog = undefined;
        return;
      }
      if (now - this.lastHeard < limit) {
        this.send({ type: 'ping' });
        return;
      }
      const during = [...new Set([...this.pending.values()].map((c) => c.method))].join(', ');
      this.kill(
        new ScanbridgeError(
          'driver-crashed',
          `${this.options.name} (pid ${this.pid}) stopped responding during ${during}: nothing from it for ${Math.round((now - this.lastHeard) / 1000)} s, so its driver is stuck in a call that blocks the whole worker; scanbridge stopped it and is still running, pages scanned before are kept, scan again`,
          { worker: this.options.name, pid: this.pid, unresponsiveMs: limit },
        ),
      );
    }, every);
    this.watchdog.unref();
  }

  private settle(id: number, how: (call: PendingCall) => void): void {
    const call = this.pending.get(id);
    if (!call) return;
    this.pending.delete(id);
    call.cleanup();
    how(call);
  }

  private onMessage(raw: unknown): void {
    this.lastHeard = Date.now();
    const parsed = FromWorker.safeParse(raw);
    if (!parsed.success || parsed.data.type === 'ready' || parsed.data.type === 'startup-failed') {
      this.kill(this.protocolError(raw, 'after ready'));
      return;
    }
    const message = parsed.data;
    if (message.type === 'pong') return;
    const call = this.pending.get(message.id);
    if (!call) return; // a call already settled by an abort: its late messages do not matter
    const spec = this.options.methods[call.method]!;
    if (message.type === 'result') {
      const result = spec.result.safeParse(message.value);
      if (!result.success) return this.kill(this.protocolError(message.value, `as the result of ${call.method}`, result.error));
      // Events sent before the result are handled before the call ends.
      void call.chain.then(() => this.settle(message.id, (c) => (c.failure === undefined ? c.resolve(result.data) : c.reject(c.failure))));
      return;
    }
    if (message.type === 'error') {
      const error = fromWorkerError(message.error, `${this.options.name} (pid ${this.pid})`);
      void call.chain.then(() => this.settle(message.id, (c) => c.reject(c.failure ?? error)));
      return;
    }
    const event = spec.event.safeParse(message.event);
    if (!event.success) return this.kill(this.protocolError(message.event, `as an event of ${call.method}`, event.error));
    const { seq } = message;
    call.chain = call.chain.then(async () => {
      if (call.aborted || !this.pending.has(message.id)) return;
      try {
        await call.onEvent?.(event.data);
        if (seq !== undefined) this.send({ type: 'ack', id: message.id, seq });
      } catch (err) {
        // The service could not take what the worker sent (e.g. the buffer's disk is full): end the call with that error.
        if (seq !== undefined) this.send({ type: 'ack', id: message.id, seq, error: toWorkerError(err) });
        call.failure = err;
        this.abortCall(message.id, err);
      }
    });
  }

  private send(message: ToWorker): void {
    if (this.alive && this.child.connected) this.child.send(message);
  }

  private protocolError(value: unknown, when: string, error?: z.core.$ZodError): ScanbridgeError {
    const what = error ? formatIssues(error, value, 'message') : `unexpected message ${JSON.stringify(value)?.slice(0, 200)}`;
    return new ScanbridgeError('internal-error', `${this.options.name} (pid ${this.pid}) broke the worker protocol ${when}: ${what}; it was stopped`);
  }

  private crashError(when: string): ScanbridgeError {
    const exit = this.exitInfo;
    const how = exit?.signal ? `was killed by ${exit.signal}` : exit ? `exited with code ${exit.code}` : 'stopped';
    const stderr = this.stderrTail.trim();
    return new ScanbridgeError(
      'driver-crashed',
      `${this.options.name} (pid ${this.pid}) ${how} ${when}; scanbridge is still running, scan again${stderr ? `. Its last output: ${stderr.slice(-300)}` : ''}`,
      { worker: this.options.name, pid: this.pid, exitCode: exit?.code ?? null, signal: exit?.signal ?? null, ...(stderr ? { stderr } : {}) },
    );
  }

  private failPending(): void {
    for (const [id, call] of [...this.pending]) {
      const error = this.endReason ?? this.crashError(`during ${call.method}`);
      this.settle(id, (c) => c.reject(error));
    }
  }

  /**
   * True from the moment we kill or stop the worker: its process may live a
   * little longer, but no new call may go to it (it would fail with the
   * reason of whoever ended it, e.g. the previous job's job-cancelled).
   */
  get ending(): boolean {
    return !this.alive || this.ended;
  }

  private markEnding(reason: ScanbridgeError | null): void {
    this.endReason ??= reason;
    if (this.ended) return;
    this.ended = true;
    this.emit('ending');
  }

  /** Kill at once (SIGKILL); calls in flight reject with `reason`, or with a crash error. */
  kill(reason?: ScanbridgeError): void {
    if (!this.alive) return;
    this.markEnding(reason ?? null);
    this.child.kill('SIGKILL');
  }

  /** Ask the worker to close its device and exit; kill it if it takes longer than the stop timeout. */
  async stop(reason = new ScanbridgeError('service-stopping', `${this.options.name} was stopped`)): Promise<void> {
    if (!this.alive) return;
    this.markEnding(reason);
    this.send({ type: 'stop' });
    const timer = setTimeout(() => this.kill(), this.options.stopTimeoutMs ?? 2000);
    await this.exited;
    clearTimeout(timer);
  }

  /** Resolves when the process has ended. */
  whenExited(): Promise<WorkerExit> {
    return this.exited;
  }
}
