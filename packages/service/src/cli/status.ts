/** `scanbridge status`: running or not, where, which version. */
import { servicePaths } from '../config/paths.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export async function statusCommand(home: string, values: ParsedValues): Promise<number> {
  const paths = servicePaths(home);
  let info;
  try {
    const { client } = await ServiceClient.fromLock(paths.portLock, home);
    [info] = await client.call('ServiceInfo', {}, 'fa');
  } catch (err) {
    if (values.json) console.log(JSON.stringify({ running: false, home, reason: (err as Error).message }));
    else console.log(`scanbridge is not running (${(err as Error).message})`);
    return EXIT.notRunning;
  }
  if (values.json) {
    console.log(JSON.stringify({ running: true, home, ...info }));
    return EXIT.ok;
  }
  console.log(`scanbridge ${info.version} is running (up ${Math.round(info.uptime)} s)
  folder:   ${home}
  API:      http://127.0.0.1:${info.ports.http}  https://127.0.0.1:${info.ports.https}
  welcome:  http://127.0.0.1:${info.ports.welcomeHttp}/  https://127.0.0.1:${info.ports.welcomeHttps}/
  sessions: ${info.sessions}
  devices:  ${info.devices.length}
  drivers:  ${info.drivers.map((d) => `${d.name} (${d.available ? 'available' : `unavailable: ${d.reason}`})`).join(', ')}`);
  return EXIT.ok;
}
