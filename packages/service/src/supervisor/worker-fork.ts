/**
 * Forks a worker process as WorkerProcess.start does, and holds what it
 * says (messages, its exit) until a WorkerProcess takes it over. This lets
 * the service start a worker before it has loaded the code that talks to it:
 * `scanbridge run` forks the SANE discovery worker as soon as the settings are
 * read (cli/run.ts), and the worker, a Node process of its own that takes
 * about 200 ms of CPU to load libsane, is then ready about when the service
 * is, instead of after it (the first ListDevices waited for it; bench/startup).
 * No zod and no driver code here: this module must stay cheap to load.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { runInBackground } from '../util/background-priority.js';

/** Environment variable through which a worker learns its parent's pid, to exit when the parent is gone (worker-host.ts). */
export const PARENT_PID_ENV = 'SCANBRIDGE_PARENT_PID';

/** What the worker did before it was taken over, replayed in order. */
type Held = { event: 'message'; args: [unknown] } | { event: 'exit'; args: [number | null, NodeJS.Signals | null] } | { event: 'error'; args: [Error] };

export interface ForkedWorker {
  /** The entry and arguments it was forked with: a taker checks they are the ones it would use. */
  readonly entry: string;
  readonly args: readonly string[];
  /** The process (to watch it; what it says is held for the taker). */
  readonly child: ChildProcess;
  /** The child, with what it said so far replayed once the taker's listeners are on (call `replay`). Once only. */
  take(): { child: ChildProcess; replay: () => void };
  /** Kill it unless it was taken (the service did not start). */
  abandon(): void;
}

export interface SpawnOptions {
  /** Runs at a lower priority (util/background-priority.ts): a worker whose answers can wait, such as discovery. */
  background?: boolean | undefined;
}

/** Start the worker process as WorkerProcess.start would (the same options). */
export function spawnWorker(entry: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined, options: SpawnOptions = {}): ChildProcess {
  // The workers (SANE's) make no TLS connection, and Node reads NODE_EXTRA_CA_CERTS at start whether it does
  // or not: a variable naming the system's whole CA bundle (some proxies' setups) cost each worker
  // about 80 ms of CPU before its first line.
  const { NODE_EXTRA_CA_CERTS: _unused, ...inherited } = env ?? process.env;
  const child = fork(entry, [...args], {
    env: { ...inherited, [PARENT_PID_ENV]: String(process.pid) },
    // The service's own flags (a test runner's, an inspector) are not the worker's business.
    execArgv: [],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  if (options.background) runInBackground(child);
  return child;
}

export function forkWorker(entry: string, args: readonly string[], env?: NodeJS.ProcessEnv, options: SpawnOptions = {}): ForkedWorker {
  const child = spawnWorker(entry, args, env, options);
  const held: Held[] = [];
  const onMessage = (message: unknown) => held.push({ event: 'message', args: [message] });
  const onExit = (code: number | null, signal: NodeJS.Signals | null) => held.push({ event: 'exit', args: [code, signal] });
  const onError = (err: Error) => held.push({ event: 'error', args: [err] });
  child.on('message', onMessage);
  child.on('exit', onExit);
  child.on('error', onError);
  let taken = false;
  return {
    entry,
    args,
    child,
    take() {
      if (taken) throw new Error('a forked worker is taken over once');
      taken = true;
      child.off('message', onMessage);
      child.off('exit', onExit);
      child.off('error', onError);
      return { child, replay: () => held.splice(0).forEach((h) => child.emit(h.event, ...h.args)) };
    },
    abandon() {
      if (taken) return;
      taken = true;
      child.off('message', onMessage);
      child.off('error', onError);
      child.on('error', () => undefined);
      child.kill('SIGKILL');
    },
  };
}
