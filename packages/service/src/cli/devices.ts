/**
 * `scanbridge devices`: the scanners the running service sees, or what one
 * of them can do (--capabilities ID); network scanners listed by URL
 * (network, add, remove) and their pinned certificates (unpin).
 */
import path from 'node:path';
import type { Capabilities } from '@scanbridge/protocol';
import { servicePaths } from '../config/paths.js';
import { CertificatePins } from '../devices/escl/certificate-pins.js';
import { ServiceClient } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

const list = (values: readonly unknown[]): string => (values.length ? values.join(', ') : '-');

/** Capabilities as scanimage --help lists a device: normalized settings first, then every raw option. */
function describe(c: Capabilities): string {
  const res = c.resolutions;
  const lines = [
    `device       ${c.device}`,
    `sources      ${list(c.sources)}${c.duplex ? ' (duplex)' : ''}`,
    `modes        ${list(c.colorModes)} (bit depths ${list(c.bitDepths)})`,
    `dpi          ${Array.isArray(res) ? list(res) : `${res.min}..${res.max}${res.step > 1 ? ` in steps of ${res.step}` : ''}`}`,
    `area         ${c.maxArea.width} x ${c.maxArea.height} mm (--area X,Y,W,H within it)`,
    `paper        ${list(c.paperSizes)}`,
    `brightness   ${c.brightness ? `${c.brightness.min}..${c.brightness.max}` : '-'}`,
    `contrast     ${c.contrast ? `${c.contrast.min}..${c.contrast.max}` : '-'}`,
  ];
  if (c.options.length) lines.push('options (--option NAME=VALUE):');
  for (const o of c.options) {
    const constraint = Array.isArray(o.constraint) ? o.constraint.join('|') : o.constraint ? `${o.constraint.min}..${o.constraint.max}` : o.type;
    const state = [o.settable ? '' : 'read-only', o.active ? '' : 'inactive', o.setBy ? `set by --${o.setBy}` : ''].filter(Boolean).join(', ');
    lines.push(`  ${o.name.padEnd(22)} ${constraint}${o.unit ? ` ${o.unit}` : ''} [${String(o.value)}]${state ? ` (${state})` : ''}${o.title ? `  ${o.title}` : ''}`);
  }
  return lines.join('\n');
}

/** The pin file is read at every check, so it is edited here directly: no running service is needed. */
async function unpin(home: string, what: string): Promise<number> {
  const removed = await new CertificatePins(path.join(home, 'escl-pins.json')).remove(what);
  if (removed.length === 0) {
    console.error(`no certificate is pinned for ${what}`);
    return EXIT.failure;
  }
  console.log(`forgot the certificate pinned for ${removed.join(', ')}; the next connection pins the one the scanner presents then`);
  return EXIT.ok;
}

async function networkCommand(client: ServiceClient, values: ParsedValues, action: string, url: string | undefined): Promise<number> {
  if (action === 'network') {
    const [listed] = await client.call('ListNetworkScanners', {}, 'fa');
    if (values.json) console.log(JSON.stringify(listed));
    else if (listed.length === 0) console.log('no network scanner is listed by URL (scanners on this network are found by themselves)');
    else for (const l of listed) console.log(`${l.url}\t${l.source === 'config' ? 'EsclScanners (scanbridge.ini)' : 'added with devices add'}`);
    return EXIT.ok;
  }
  if (action === 'add') {
    const [{ url: kept, added }] = await client.call('AddNetworkScanner', { url: url! }, 'fa');
    console.log(added ? `added ${kept}; it is listed offline while it does not answer` : `${kept} was listed already`);
    return EXIT.ok;
  }
  const [removed] = await client.call('RemoveNetworkScanner', { url: url! }, 'fa');
  console.log(removed ? `removed ${url}` : `${url} was not added with devices add (EsclScanners entries are removed in scanbridge.ini)`);
  return removed ? EXIT.ok : EXIT.failure;
}

export async function devicesCommand(home: string, values: ParsedValues, positionals: string[] = []): Promise<number> {
  const [action, target, ...extra] = positionals;
  if (action !== undefined) {
    const needsTarget = action === 'add' || action === 'remove' || action === 'unpin';
    if (!(needsTarget || action === 'network') || (needsTarget && !target) || (!needsTarget && target) || extra.length) {
      console.error('scanbridge devices: expected `network`, `add <url>`, `remove <url>` or `unpin <url|uuid>`');
      return EXIT.usage;
    }
    if (action === 'unpin') return unpin(home, target!);
  }
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
  if (action !== undefined) return networkCommand(client, values, action, target);
  if (typeof values.capabilities === 'string') {
    const [caps] = await client.call('GetCapabilities', { device: values.capabilities }, 'fa');
    console.log(values.json ? JSON.stringify(caps) : describe(caps));
    return EXIT.ok;
  }
  const [devices] = await client.call('ListDevices', { refresh: values.refresh === true }, 'fa');
  if (values.json) console.log(JSON.stringify(devices));
  else if (devices.length === 0) console.log('no scanner found');
  else for (const d of devices) console.log(`${d.id}\t${d.vendor} ${d.model}\t${d.type}`);
  return EXIT.ok;
}
