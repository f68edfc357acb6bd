/**
 * `scanbridge scan`: a scan job through the running service, saved to a file.
 * It is a client like any page: its own session, closed at the end.
 */
import { ScanSettings, ScanbridgeError, parseOrThrow, type JobInfo } from '@scanbridge/protocol';
import { servicePaths } from '../config/paths.js';
import { formatOfPath, savePages, SAVE_FORMATS } from '../formats/save.js';
import type { StoredImage } from '../buffer/types.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

function optionValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

function settingsFrom(values: ParsedValues): ScanSettings {
  const raw: Record<string, unknown> = {};
  if (typeof values.source === 'string') raw.source = values.source;
  if (values.duplex) raw.duplex = true;
  if (typeof values.mode === 'string') raw.mode = values.mode;
  if (typeof values.paper === 'string') raw.paper = values.paper;
  if (typeof values.dpi === 'string') raw.dpi = Number(values.dpi);
  const options: Record<string, string | number | boolean> = {};
  for (const pair of (values.option as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ScanbridgeError('invalid-settings', `--option ${pair}: expected NAME=VALUE`);
    options[pair.slice(0, eq)] = optionValue(pair.slice(eq + 1));
  }
  raw.options = options;
  return parseOrThrow(ScanSettings, raw, 'settings', 'invalid-settings');
}

export async function scanCommand(home: string, values: ParsedValues): Promise<number> {
  if (typeof values.device !== 'string' || typeof values.out !== 'string') {
    console.error('scanbridge scan: --device and --out are required (see `scanbridge devices` for ids)');
    return EXIT.usage;
  }
  if (!formatOfPath(values.out)) {
    console.error(`scanbridge scan: --out must end in one of ${SAVE_FORMATS.join(', ')}`);
    return EXIT.usage;
  }
  const settings = settingsFrom(values);
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
  const [session] = await client.call('CreateSession', {}, 'fa');
  client.useSession(session.id);
  try {
    let [job]: [JobInfo] = await client.call('StartScan', { device: values.device, settings }, 'f');
    while (job.state === 'running') {
      [job] = await client.call('WaitJob', { job: job.id, timeout: 30 }, 'f');
      if (job.state === 'running') process.stderr.write(`\rscanning... ${job.pages} page(s)`);
    }
    const pages: StoredImage[] = [];
    for (const id of job.pageIds) {
      const [image] = await client.call('GetImage', { page: id }, 'f');
      const { info } = image;
      pages.push({ format: image.format, bytes: Buffer.from(image.data, 'base64'), width: info.width, height: info.height, xdpi: info.xdpi, ydpi: info.ydpi, mode: info.mode, bitDepth: info.bitDepth });
    }
    const files = pages.length ? await savePages(pages, values.out) : [];
    if (files.length) console.log(`${pages.length} page(s) saved to ${files.join(', ')}`);
    if (job.state !== 'done') {
      console.error(`scanbridge scan: ${job.error?.code ?? job.state}: ${job.error?.message ?? ''}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    await client.call('CloseSession', {}, 'f').catch(() => undefined);
  }
}
