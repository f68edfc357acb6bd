/** `scanbridge devices`: the scanners the running service sees. */
import { servicePaths } from '../config/paths.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export async function devicesCommand(home: string, values: ParsedValues): Promise<number> {
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
  const [devices] = await client.call('ListDevices', { refresh: values.refresh === true }, 'fa');
  if (values.json) console.log(JSON.stringify(devices));
  else if (devices.length === 0) console.log('no scanner found');
  else for (const d of devices) console.log(`${d.id}\t${d.vendor} ${d.model}\t${d.type}`);
  return EXIT.ok;
}
