/** `scanbridge monitor`: the service under a monitor that restarts it when it crashes. */
import path from 'node:path';
import { flagSpecs } from '../config/load.js';
import { servicePaths, ensureServiceFolder } from '../config/paths.js';
import { Monitor } from '../supervisor/monitor.js';
import { TrustKeeper } from '../security/trust/trust-keeper.js';
import { currentTrustEnv } from '../security/trust/stores.js';
import { acquireLock, releaseLock, updateLock } from '../util/port-lock.js';
import { EXIT } from './usage.js';
import { MONITOR_LOCK } from './monitor-lock.js';
import type { ParsedValues } from './main.js';

/** Keeps the certificate trusted in this user's stores (trust-keeper.ts); what it changes or cannot do goes to the log. */
function keepTrust(home: string): TrustKeeper {
  const keeper = new TrustKeeper({
    home,
    trustEnv: currentTrustEnv,
    report: (r) =>
      console.error(
        r.trusted
          ? `scanbridge monitor: trusted the certificate in ${r.store} (${r.location})`
          : `scanbridge monitor: the certificate is not trusted in ${r.store} (${r.location})${r.problem ? `: ${r.problem}` : ''}`,
      ),
    failed: (err) => console.error(`scanbridge monitor: keeping the certificate trusted failed: ${err.message}`),
  });
  void keeper.start();
  return keeper;
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
  const keeper = values['keep-trust'] ? keepTrust(home) : null;
  const onSignal = () => void monitor.stop();
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  monitor.start();
  await monitor.done;
  await keeper?.stop();
  process.off('SIGTERM', onSignal);
  process.off('SIGINT', onSignal);
  await releaseLock(lockFile);
  return monitor.state.lastExit?.code === EXIT.config ? EXIT.config : EXIT.ok;
}
