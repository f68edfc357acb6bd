/** `scanbridge status`: running or not, where, which version. */
import path from 'node:path';
import { servicePaths } from '../config/paths.js';
import { liveLock, type PidRecord } from '../util/port-lock.js';
import type { MonitorState } from '../supervisor/monitor.js';
import { MONITOR_LOCK } from './monitor-lock.js';
import { currentEnv, isRegistered, registrationFile } from '../install/registration.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export async function statusCommand(home: string, values: ParsedValues): Promise<number> {
  const paths = servicePaths(home);
  const re = currentEnv();
  const installed = await isRegistered(re, home);
  const installedText = installed ? `yes (${registrationFile(re, home)})` : 'no (`scanbridge install` starts it at login)';
  let info;
  try {
    const { client } = await ServiceClient.fromLock(paths.portLock, home);
    [info] = await client.call('ServiceInfo', {}, 'fa');
  } catch (err) {
    // Loaded only when needed: it reads the configuration (and through it the protocol).
    const problems = await (await import('./diagnose.js')).diagnose(home);
    if (values.json) console.log(JSON.stringify({ running: false, installed, home, reason: (err as Error).message, problems }));
    else {
      console.log(`scanbridge is not running (${(err as Error).message})\n  installed: ${installedText}`);
      for (const problem of problems) console.log(`  problem:   ${problem}`);
    }
    return EXIT.notRunning;
  }
  const monitor = await liveLock<PidRecord & MonitorState>(path.join(home, MONITOR_LOCK));
  const monitorText = monitor ? `running (pid ${monitor.pid}, ${monitor.restarts ?? 0} restart(s))` : 'not running';
  if (values.json) {
    console.log(JSON.stringify({ running: true, installed, home, ...info, monitor: monitor ? { pid: monitor.pid, restarts: monitor.restarts ?? 0 } : null }));
    return EXIT.ok;
  }
  console.log(`scanbridge ${info.version} is running (up ${Math.round(info.uptime)} s, Node.js ${info.runtime})
  folder:   ${home}
  installed: ${installedText}
  API:      http://127.0.0.1:${info.ports.http}  https://127.0.0.1:${info.ports.https}
  welcome:  http://127.0.0.1:${info.ports.welcomeHttp}/  https://127.0.0.1:${info.ports.welcomeHttps}/
  monitor:  ${monitorText}
  sessions: ${info.sessions}
  devices:  ${info.devices.length}
  drivers:  ${info.drivers.map((d) => `${d.name} (${d.available ? (d.reason ? `available; ${d.reason}` : 'available') : `unavailable: ${d.reason}`})`).join(', ')}`);
  return EXIT.ok;
}
