/** Waiting for a service process to come up on a service folder (install, tests). */
import path from 'node:path';
import { liveLock, type LockInfo } from './port-lock.js';

export interface RunningAt {
  pid: number;
  ports: LockInfo['ports'];
  base: string;
}

/** Wait until `port.lock` names a live service process other than `notPid`. */
export async function waitForService(home: string, notPid?: number, timeoutMs = 30_000): Promise<RunningAt> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lock = await liveLock(path.join(home, 'port.lock'));
    if (lock?.pid && lock.pid !== notPid && lock.ports?.http) return { pid: lock.pid, ports: lock.ports, base: `http://127.0.0.1:${lock.ports.http}` };
    if (Date.now() > deadline) throw new Error(`no service came up on ${home} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
