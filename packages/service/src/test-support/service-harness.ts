/**
 * Starts a real service for a test: in this process (fast, for API tests) or
 * as a child process (for kill -9 and CLI tests). Always on a temporary
 * folder and on free ports chosen at run time (port 0), never the defaults.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResponseEnvelope } from '@scanbridge/protocol';
import { startService, type RunningService } from '../server/service.js';
import { liveLock } from '../util/port-lock.js';
import { waitForService as waitForServiceAt } from '../util/wait-for-service.js';
import { readAdminToken } from '../security/admin-token.js';
import { TOKEN_HEADER } from '@scanbridge/protocol/core';

/**
 * Tests call the service as the local user does (the CLI): with the
 * administrator token of the service folder. The token is looked up by base
 * URL, so `rpc(base, ...)` works for any service a test started.
 */
const tokens = new Map<string, string>();

export function tokenFor(base: string): string | undefined {
  return tokens.get(base);
}

/** Headers that authenticate as the local user of the service at `base`. */
export function adminHeaders(base: string): Record<string, string> {
  const token = tokens.get(base);
  return token ? { [TOKEN_HEADER]: token } : {};
}

async function remember(home: string, ports: ListenerPorts): Promise<void> {
  const token = await readAdminToken(path.join(home, 'cert'));
  if (!token) return;
  for (const port of Object.values(ports)) {
    tokens.set(`http://127.0.0.1:${port}`, token);
    tokens.set(`https://127.0.0.1:${port}`, token);
  }
}

export async function waitForService(home: string, notPid?: number, timeoutMs?: number): ReturnType<typeof waitForServiceAt> {
  const up = await waitForServiceAt(home, notPid, timeoutMs);
  await remember(home, up.ports);
  return up;
}
import type { ListenerPorts } from '../server/context.js';

export const BIN = fileURLToPath(new URL('../../bin/scanbridge.js', import.meta.url));

export const FREE_PORT_FLAGS = { 'http-port': '0', 'https-port': '0', 'welcome-http-port': '0', 'welcome-https-port': '0' };

let saneConfig: string | undefined;
function emptySaneConfig(): string {
  saneConfig ??= mkdtempSync(path.join(tmpdir(), 'scanbridge-no-sane-'));
  return saneConfig;
}

export async function tempHome(prefix = 'scanbridge-test-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

export interface Call {
  status: number;
  body: ResponseEnvelope & { result?: unknown[]; error?: { code: string; message: string } };
  headers: Headers;
}

/** POST an RPC call; `scope` is fa (no session) or f. */
export async function rpc(base: string, scope: 'fa' | 'f', method: string, params: object = {}, session?: string, init: RequestInit = {}): Promise<Call> {
  const res = await fetch(`${base}/${scope}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...adminHeaders(base) },
    body: JSON.stringify({ ...(session ? { id: session } : {}), params, cmdId: 'c1' }),
    ...init,
  });
  return { status: res.status, body: (await res.json()) as Call['body'], headers: res.headers };
}

export interface InProcess {
  service: RunningService;
  home: string;
  base: string;
  ports: ListenerPorts;
  close(): Promise<void>;
}

export async function startInProcess(flags: Record<string, string> = {}, home?: string): Promise<InProcess> {
  const dir = home ?? (await tempHome());
  // SANE is tested on its own with a test-owned backend; here it would only probe the machine's scanners.
  // Nor does a test browse the network for eSCL scanners unless it says so.
  const service = await startService({ home: dir, flags: { ...FREE_PORT_FLAGS, 'log-level': 'warn', 'sane-scanners': 'false', 'escl-discovery': 'false', ...flags }, env: {} });
  await remember(dir, service.ports);
  return {
    service,
    home: dir,
    base: `http://127.0.0.1:${service.ports.http}`,
    ports: service.ports,
    async close() {
      await service.stop();
      if (!home) await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ChildService {
  child: ChildProcess;
  home: string;
  base: string;
  ports: ListenerPorts;
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait for exit. */
  kill9(): Promise<void>;
}

/** `command` is how to run `scanbridge` (default: this checkout's build with this Node; an installed package's /usr/bin/scanbridge). */
export async function startChild(home: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, command: readonly string[] = [process.execPath, BIN]): Promise<ChildService> {
  const flagArgs = Object.entries(FREE_PORT_FLAGS).flatMap(([k, v]) => [`--${k}`, v]);
  const [program, ...prefix] = command;
  const child = spawn(program!, [...prefix, 'run', '--home', home, '--quiet', ...flagArgs, ...args], {
    // No SANE backends unless the test brings its own (SANE_CONFIG_DIR in env): probing the machine's
    // network backends takes seconds and finds nothing a test should depend on.
    env: { ...process.env, SCANBRIDGE_HOME: '', SANE_CONFIG_DIR: emptySaneConfig(), SCANBRIDGE_ESCL_DISCOVERY: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lockFile = path.join(home, 'port.lock');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lock = await liveLock(lockFile);
    const ports = lock && lock.pid === child.pid ? lock.ports : undefined;
    if (ports?.http) {
      await remember(home, ports);
      return {
        child,
        home,
        base: `http://127.0.0.1:${ports.http}`,
        ports,
        output: () => output,
        async stop() {
          child.kill('SIGTERM');
          return exited;
        },
        async kill9() {
          child.kill('SIGKILL');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Run the CLI to completion. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, SCANBRIDGE_HOME: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}
