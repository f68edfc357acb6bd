/** `scanbridge monitor`: the service under a monitor that restarts it when it crashes. */
import path from 'node:path';
import { flagSpecs } from '../config/load.js';
import { servicePaths, ensureServiceFolder } from '../config/paths.js';
import { Monitor } from '../supervisor/monitor.js';
import { acquireLock, releaseLock, updateLock } from '../util/port-lock.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export const MONITOR_LOCK = 'monitor.lock';

export async function monitorCommand(home: string, values: ParsedValues): Promise<number> {
  const paths = servicePaths(home);
  await ensureServiceFolder(paths);
  const lockFile = path.join(home, MONITOR_LOCK);
  const startedAt = new Date().toISOString();
  await acquireLock(lockFile, { pid: process.pid, startedAt });
  const settingFlags = new Set(Object.keys(flagSpecs()));
  const runArgs = Object.entries(values).flatMap(([name, value]) => (settingFlags.has(name) && typeof value === 'string' ? [`--${name}`, value] : []));
  const monitor = new Monitor({ home, dumpDir: paths.dump, runArgs });
  monitor.on('state', (state) => void updateLock(lockFile, { pid: process.pid, startedAt, ...state }).catch(() => undefined));
  monitor.on('restarting', (delay) => {
    if (!values.quiet) console.error(`scanbridge monitor: the service exited unexpectedly; restarting in ${delay} ms`);
  });
  const onSignal = () => void monitor.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  monitor.start();
  await monitor.done;
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await releaseLock(lockFile);
  return monitor.state.lastExit?.code === EXIT.config ? EXIT.config : EXIT.ok;
}
