/** `scanbridge monitor`: the service under a monitor that restarts it when it crashes. */
import path from 'node:path';
import { flagSpecs } from '../config/load.js';
import { servicePaths, ensureServiceFolder } from '../config/paths.js';
import { Monitor } from '../supervisor/monitor.js';
import { installTrust } from '../security/trust/service-ca-trust.js';
import { currentTrustEnv } from '../security/trust/stores.js';
import { acquireLock, releaseLock, updateLock } from '../util/port-lock.js';
import { EXIT } from './usage.js';
import { MONITOR_LOCK } from './monitor-lock.js';
import type { ParsedValues } from './main.js';

/** How often a registered monitor makes sure the certificate is still trusted. */
const TRUST_CHECK_MS = 24 * 3600 * 1000;

/** Trust the certificate now and daily in this user's stores; a failure is reported, never fatal. */
function keepTrust(home: string): NodeJS.Timeout {
  const check = () =>
    installTrust(home, currentTrustEnv(), { system: false }).then(
      (outcome) => {
        for (const store of outcome.stores) if (store.trusted === false) console.error(`scanbridge monitor: the certificate is not trusted in ${store.store} (${store.location})`);
      },
      (err: unknown) => console.error(`scanbridge monitor: keeping the certificate trusted failed: ${(err as Error).message}`),
    );
  void check();
  const timer = setInterval(() => void check(), TRUST_CHECK_MS);
  timer.unref();
  return timer;
}

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
  const trustTimer = values['keep-trust'] ? keepTrust(home) : null;
  const onSignal = () => void monitor.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  monitor.start();
  await monitor.done;
  if (trustTimer) clearInterval(trustTimer);
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await releaseLock(lockFile);
  return monitor.state.lastExit?.code === EXIT.config ? EXIT.config : EXIT.ok;
}
