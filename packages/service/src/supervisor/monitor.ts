/**
 * `scanbridge monitor`: runs the service as a child process and restarts it
 * when it exits unexpectedly: after 0.5 s at first, doubling up to 30 s while
 * it keeps crashing soon after starting, back to 0.5 s once it has run for a
 * minute. A SIGTERM to the monitor stops the service cleanly, then the monitor.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { pruneDumps, reportFlags, writeCrashNote } from './dumps.js';
import { SERVICE_NODE_FLAGS } from './heap-flags.js';
import { mallocEnv } from '../util/malloc-tuning.js';
import { COMMAND_PATH } from '../cli/command-path.js';

/** `scanbridge run`'s exit code for configuration problems (cli/usage.ts EXIT.config). */
const CONFIG_EXIT = 4;

export const BACKOFF = { firstMs: 500, maxMs: 30_000, stableAfterMs: 60_000 };
/** How long a stopping service may take before it is killed. */
const STOP_GRACE_MS = 15_000;

export interface MonitorOptions {
  home: string;
  dumpDir: string;
  /** Flags passed on to `scanbridge run`. */
  runArgs: string[];
  env?: NodeJS.ProcessEnv;
  backoff?: typeof BACKOFF;
}

export interface MonitorState {
  childPid: number | undefined;
  restarts: number;
  lastExit: { code: number | null; signal: string | null; at: string } | null;
}

export interface MonitorEvents {
  started: [pid: number];
  exited: [code: number | null, signal: NodeJS.Signals | null];
  restarting: [delayMs: number];
  state: [MonitorState];
}

export function restartDelay(consecutiveCrashes: number, backoff = BACKOFF): number {
  return Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.max(0, consecutiveCrashes - 1));
}

export class Monitor extends EventEmitter<MonitorEvents> {
  private child: ChildProcess | null = null;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private crashes = 0;
  private readonly backoff: typeof BACKOFF;
  readonly state: MonitorState = { childPid: undefined, restarts: 0, lastExit: null };
  private finished!: () => void;
  /** Resolves when the monitor has stopped for good. */
  readonly done = new Promise<void>((resolve) => (this.finished = resolve));

  constructor(private readonly opts: MonitorOptions) {
    super();
    this.backoff = opts.backoff ?? BACKOFF;
  }

  start(): void {
    const startedAt = Date.now();
    let stderrTail = '';
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, ...reportFlags(this.opts.dumpDir), COMMAND_PATH, 'run', '--home', this.opts.home, '--quiet', ...this.opts.runArgs], {
      env: { ...process.env, ...mallocEnv(), ...this.opts.env, SCANBRIDGE_MONITORED: '1' },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      process.stderr.write(chunk);
      stderrTail = (stderrTail + chunk.toString()).slice(-4000);
    });
    this.child = child;
    this.state.childPid = child.pid;
    if (child.pid) this.emit('started', child.pid);
    this.emit('state', this.state);
    child.once('exit', (code, signal) => {
      this.child = null;
      this.state.childPid = undefined;
      this.state.lastExit = { code, signal, at: new Date().toISOString() };
      this.emit('exited', code, signal);
      // Exit code 4 is a configuration problem (bad ini, port in use, folder locked): restarting cannot help.
      if (this.stopping || code === CONFIG_EXIT) {
        this.stopping = true;
        this.emit('state', this.state);
        this.finished();
        return;
      }
      const uptime = Date.now() - startedAt;
      this.crashes = uptime >= this.backoff.stableAfterMs ? 1 : this.crashes + 1;
      // A clean exit code 0 without a stop request is still unexpected for a service: restart it.
      void writeCrashNote(this.opts.dumpDir, { pid: child.pid, code, signal, uptimeSeconds: uptime / 1000, restarts: this.state.restarts, stderr: stderrTail })
        .then(() => pruneDumps(this.opts.dumpDir))
        .catch(() => undefined);
      const delay = restartDelay(this.crashes, this.backoff);
      this.emit('restarting', delay);
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.stopping) {
          this.finished();
          return;
        }
        this.state.restarts++;
        this.start();
      }, delay);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
      this.finished();
    }
    const child = this.child;
    if (child) {
      child.kill('SIGTERM');
      const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.done;
      clearTimeout(kill);
    }
    await this.done;
  }
}
