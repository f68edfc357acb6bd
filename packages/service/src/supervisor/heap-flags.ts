/**
 * V8 flags of the service process. Node 24's V8 lets the young generation
 * grow to 64 MB per semi-space (Node 20: 16 MB): once a busy spell of
 * requests has grown it, its pages stay resident, and a service that had
 * settled at 150 MB sat 45–60 MB higher for good (a 5000-cycle soak grew
 * 245 → 292 MB while the JavaScript heap in use stayed at 29 MB). Capping the
 * semi-space at Node 20's size keeps the service as small on Node 24 as on
 * Node 20; the young generation is mostly short-lived request objects, and
 * pixels live outside the V8 heap (libvips), so scans are no slower
 * (bench/scan).
 *
 * The cap can only be set when V8 starts (v8.setFlagsFromString is too late
 * for the heap's layout). The monitor starts the service with the flags;
 * `scanbridge run` started without them replaces itself with a process that
 * has them (process.execve: same pid, same stdio), where Node has it.
 */
import { mallocEnv } from '../util/malloc-tuning.js';

export const SERVICE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16'];

const NAMES = SERVICE_NODE_FLAGS.map((flag) => flag.split('=')[0]!);

/** Whether Node was started with every one of the flags (or a value of its own for them), on its command line or in NODE_OPTIONS. */
export function hasServiceFlags(execArgv: readonly string[], nodeOptions = ''): boolean {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)].map((arg) => arg.split('=')[0]!.replace(/_/g, '-'));
  return NAMES.every((name) => given.includes(name));
}

/**
 * Restarts this process in place with the service flags when it lacks them.
 * Returns only when nothing had to be done or Node cannot (no process.execve
 * before Node 22.15, or on Windows): the service then runs with Node's
 * defaults. Call it before loading anything: the new process starts over.
 */
export function ensureServiceFlags(): void {
  if (hasServiceFlags(process.execArgv, process.env.NODE_OPTIONS)) return;
  const execve = (process as { execve?: (file: string, args: string[], env: NodeJS.ProcessEnv) => never }).execve;
  if (typeof execve !== 'function') return;
  try {
    execve.call(process, process.execPath, [process.execPath, ...SERVICE_NODE_FLAGS, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...mallocEnv() });
  } catch {
    // Refused (the permission model, a seccomp filter): run on with Node's defaults rather than not at all.
  }
}
