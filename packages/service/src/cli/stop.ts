/** `scanbridge stop`: stops the monitor (which stops the service) or the service alone. */
import path from 'node:path';
import { servicePaths } from '../config/paths.js';
import { alive, liveLock, type PidRecord } from '../util/port-lock.js';
import { MONITOR_LOCK } from './monitor-lock.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

const WAIT_MS = 20_000;

async function waitGone(pid: number): Promise<boolean> {
  const deadline = Date.now() + WAIT_MS;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

export async function stopCommand(home: string, values: ParsedValues): Promise<number> {
  const monitor = await liveLock<PidRecord & { childPid?: number }>(path.join(home, MONITOR_LOCK));
  const service = await liveLock(servicePaths(home).portLock);
  const targets = [monitor?.pid, service?.pid].filter((pid): pid is number => typeof pid === 'number');
  if (targets.length === 0) {
    if (!values.quiet) console.log(`scanbridge is not running on ${home}`);
    return EXIT.notRunning;
  }
  // A monitor stops its service itself (and does not restart it); only a service alone gets the signal directly.
  process.kill(targets[0]!, 'SIGTERM');
  for (const pid of targets) {
    if (!(await waitGone(pid))) {
      console.error(`scanbridge stop: process ${pid} did not stop within ${WAIT_MS / 1000} s`);
      return EXIT.failure;
    }
  }
  if (!values.quiet) console.log('scanbridge stopped');
  return EXIT.ok;
}
