/**
 * Tests: one side of the mDNS tests, run in its own network namespace.
 *   advertise '<AdvertisedScanner[] as JSON>' <ttl>  announce until SIGTERM (goodbye) or SIGKILL (none)
 *   browse <user file>                                print the directory's endpoints (a JSON line) at each change
 *   devices <user file>                               a device manager over the eSCL driver, wired as the service wires it:
 *                                                     prints {event: names} at each devices change, and on SIGUSR2
 *                                                     lists as ListDevices with refresh does, printing {refreshed: names}
 *   query <type>                                      print the first answer to a raw PTR query (multicast-dns, not our browser)
 *   get <url>                                         print the status and body of a GET (from this namespace)
 *   service-devices <service url> <admin token>       print the ids ListDevices answers (a JSON line) whenever they change
 */
import makeMdns from 'multicast-dns';
import { EsclAdvertiser, type AdvertisedScanner } from '../../escl-server/advertise.js';
import { EsclScannerDirectory } from './discovery.js';
import { EsclDriver } from './escl-driver.js';
import { DeviceManager } from '../device-manager.js';

const [mode, arg, arg2] = process.argv.slice(2);
const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value)}\n`);

if (mode === 'advertise') {
  const advertiser = new EsclAdvertiser(JSON.parse(arg!) as AdvertisedScanner[], { ttl: Number(arg2), hostname: 'sb-test-host' });
  process.on('SIGTERM', () => void advertiser.close().then(() => process.exit(0)));
  print('advertising');
} else if (mode === 'browse') {
  const directory = await EsclScannerDirectory.open({ discovery: true, listed: [], userFile: arg! });
  await directory.browse();
  directory.onChange(() => print(directory.endpoints()));
  process.on('SIGTERM', () => void directory.close().then(() => process.exit(0)));
  print(directory.endpoints());
} else if (mode === 'devices') {
  const directory = await EsclScannerDirectory.open({ discovery: true, listed: [], userFile: arg! });
  await directory.browse();
  const devices = new DeviceManager([new EsclDriver({ directory })]);
  const names = (list: { name: string }[]) => list.map((d) => d.name).sort();
  devices.on('change', (list) => print({ event: names(list) }));
  directory.onChange(() => void devices.list(true));
  process.on('SIGUSR2', () => void devices.list(true, { askNetwork: true }).then((list) => print({ refreshed: names(list) })));
  process.on('SIGTERM', () => void directory.close().then(() => process.exit(0)));
  print({ event: names(await devices.list()) });
} else if (mode === 'get') {
  const res = await fetch(arg!);
  print({ status: res.status, body: await res.text() });
} else if (mode === 'service-devices') {
  let last = '';
  for (;;) {
    // Ends quietly with the service (the test stops it).
    const res = await fetch(`${arg!}/fa/ListDevices`, { headers: { 'x-scanbridge-token': arg2! } }).catch(() => process.exit(0));
    const ids = ((await res.json()) as { result: [{ id: string }[]] }).result[0].map((d) => d.id);
    if (JSON.stringify(ids) !== last) print(ids);
    last = JSON.stringify(ids);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
} else if (mode === 'query') {
  const mdns = makeMdns();
  const ask = () => mdns.query([{ name: `${arg!}.local`, type: 'PTR' }]);
  mdns.on('response', (packet) => {
    if (!packet.answers.some((a) => a.type === 'PTR' && a.name === `${arg!}.local`)) return;
    print({ answers: packet.answers, additionals: packet.additionals });
    mdns.destroy(() => process.exit(0));
  });
  mdns.on('ready', ask);
  setInterval(ask, 1000);
}
