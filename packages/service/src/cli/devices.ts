/** `scanbridge devices`: the scanners the running service sees, or what one of them can do (--capabilities ID). */
import type { Capabilities } from '@scanbridge/protocol';
import { servicePaths } from '../config/paths.js';
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

export async function devicesCommand(home: string, values: ParsedValues): Promise<number> {
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
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
