/**
 * Starting ffmpeg and v4l2-ctl. No ffmpeg may outlive the service, also
 * when the service is killed with SIGKILL and cannot clean up: on Linux each
 * is started through util-linux's `setpriv --pdeathsig KILL`, so the kernel
 * kills it when the service's process dies. Everywhere, its output goes to a
 * pipe only the service reads, so a running capture or preview also ends at
 * its next frame (EPIPE) when the service is gone.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BACKGROUND_NICENESS, runInBackground } from '../../util/background-priority.js';

const SETPRIV = '/usr/bin/setpriv';
const NICE = '/usr/bin/nice';
let setprivWorks: boolean | null = null;

function hasSetpriv(): boolean {
  setprivWorks ??= process.platform === 'linux' && existsSync(SETPRIV);
  return setprivWorks;
}

/** Start a program so that it dies with the service (stdin, stdout and stderr are pipes). */
export function spawnTied(command: string, args: readonly string[]): ChildProcessWithoutNullStreams {
  if (hasSetpriv()) return spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', command, ...args], { stdio: 'pipe', windowsHide: true });
  return spawn(command, [...args], { stdio: 'pipe', windowsHide: true });
}

export interface ToolResult {
  /** null when killed (time limit, abort). */
  code: number | null;
  stdout: Buffer;
  stderr: string;
  /** spawn itself failed (ENOENT: not installed). */
  spawnError: NodeJS.ErrnoException | null;
}

const STDERR_LIMIT = 256 * 1024;

/** Run a program to its end, within `timeoutMs`, and collect its output. */
export function runTool(command: string, args: readonly string[], options: { timeoutMs: number; signal?: AbortSignal; background?: boolean }): Promise<ToolResult> {
  return new Promise((resolve) => {
    // In the background from its first instruction where coreutils' nice can start it so (ffmpeg does most
    // of its 0.2 s of start-up at once): lowered only once spawned, it would run a moment at full priority.
    const niced = options.background === true && process.platform !== 'win32' && existsSync(NICE);
    const child = niced ? spawnTied(NICE, ['-n', String(BACKGROUND_NICENESS), command, ...args]) : spawnTied(command, args);
    if (options.background && !niced) runInBackground(child);
    const out: Buffer[] = [];
    let stderr = '';
    let spawnError: NodeJS.ErrnoException | null = null;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < STDERR_LIMIT) stderr += chunk.toString('utf8');
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end();
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    const timer = setTimeout(kill, options.timeoutMs);
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', kill);
      resolve({ code, stdout: Buffer.concat(out), stderr, spawnError });
    });
  });
}
