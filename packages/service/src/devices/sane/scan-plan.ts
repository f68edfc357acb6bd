/**
 * ScanSettings checked against a SANE device's options and turned into the
 * option assignments the worker makes, in an order that respects their
 * dependencies (source and mode first: they change what the others allow),
 * with options named in ScanSettings.options last so that they win.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ScanSettings } from '@scanbridge/protocol';
import { checkArea, requestedRegion } from '../scan-region.js';
import { bounds, profileOf, type DeviceProfile } from './device-profile.js';
import { maxAreaOf, paperSizesWithin, TONE_RANGE } from './sane-capabilities.js';
import type { Assignment, OptionValue, SaneOption } from './sane-model.js';
import { invalidOption, valueProblem } from './option-values.js';

export interface ScanPlan {
  assignments: Assignment[];
  /** Keep feeding pages until the feeder is empty (a feeder or duplex source). */
  feeder: boolean;
}

const show = (value: unknown): string => (typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value));

function invalid(setting: string, value: unknown, message: string, allowed: unknown): ScanbridgeError {
  return new ScanbridgeError('invalid-settings', message, { setting, value, allowed });
}

/** -100..100 onto the device's range: 0 onto its 0 when the range spans negative and positive values, else onto its middle. */
export function toneValue(option: SaneOption, value: number): number {
  const { min, max } = bounds(option);
  const centre = min < 0 && max > 0 ? 0 : (min + max) / 2;
  const mapped = value >= 0 ? centre + (value / TONE_RANGE.max) * (max - centre) : centre + (value / -TONE_RANGE.min) * (centre - min);
  const quant = option.constraint?.kind === 'range' && option.constraint.quant > 0 ? option.constraint.quant : option.type === 'int' ? 1 : 0;
  const stepped = quant > 0 ? min + Math.round((mapped - min) / quant) * quant : mapped;
  return Math.min(max, Math.max(min, stepped));
}

export function planScan(device: string, options: readonly SaneOption[], settings: ScanSettings, deviceType = ''): ScanPlan {
  const profile = profileOf(options, deviceType);
  const raw = settings.options ?? {};
  const normal: Assignment[] = [];
  // A normalized setting gives way to the same option named in ScanSettings.options.
  const add = (name: string, value: OptionValue, setting: string): void => {
    if (name && !Object.hasOwn(raw, name)) normal.push({ name, value, setting, required: false });
  };

  const feeder = planSource(device, profile, settings, add);
  planMode(device, profile, settings, add);
  planResolution(device, profile, settings, add);
  planArea(device, profile, settings, add);
  for (const tone of ['brightness', 'contrast'] as const) {
    const value = settings[tone];
    if (value === 0) continue; // leave the image as the device delivers it
    const option = profile[tone];
    if (!option) throw invalid(tone, value, `${tone} is not adjustable on ${device}; allowed: 0`, [0]);
    add(option.name, toneValue(option, value), tone);
  }

  const named = Object.entries(raw).map(([name, value]) => checkNamed(device, options, name, value));
  const sourceOverride = Object.hasOwn(raw, 'source') ? raw.source : undefined;
  return {
    assignments: [...normal, ...named],
    feeder: typeof sourceOverride === 'string' ? sourceOverride === profile.sources.feeder || sourceOverride === profile.sources.duplex : feeder,
  };
}

type Add = (name: string, value: OptionValue, setting: string) => void;

function planSource(device: string, profile: DeviceProfile, settings: ScanSettings, add: Add): boolean {
  const { source, duplex } = settings;
  const available = (['flatbed', 'feeder'] as const).filter((s) => profile.sources[s] !== undefined);
  const canDuplex = profile.sources.duplex !== undefined || profile.duplexSwitch !== null;
  if (duplex && !canDuplex) throw invalid('duplex', duplex, `duplex is not supported by ${device}; allowed: false`, [false]);
  if (duplex && source !== 'feeder') throw invalid('duplex', duplex, `duplex needs source "feeder"; got source ${show(source)}`, ['feeder']);
  if (duplex && profile.sources.duplex !== undefined) {
    add('source', profile.sources.duplex, 'duplex');
    return true;
  }
  const value = profile.sources[source];
  if (value === undefined) throw invalid('source', source, `source ${show(source)} is not supported by ${device}; allowed: ${available.join(', ')}`, available);
  add('source', value, 'source');
  if (profile.duplexSwitch && (duplex || source === 'feeder')) add(profile.duplexSwitch.name, duplex ? profile.duplexSwitch.on : profile.duplexSwitch.off, 'duplex');
  return source === 'feeder';
}

function planMode(device: string, profile: DeviceProfile, settings: ScanSettings, add: Add): void {
  const choice = profile.modes[settings.mode];
  if (!choice) {
    const allowed = (['bw', 'gray', 'color'] as const).filter((m) => profile.modes[m]);
    throw invalid('mode', settings.mode, `mode ${show(settings.mode)} is not supported by ${device}; allowed: ${allowed.join(', ')}`, allowed);
  }
  if (choice.mode !== null) add('mode', choice.mode, 'mode');
  if (choice.depth !== null) add('depth', choice.depth, 'mode');
}

function planResolution(device: string, profile: DeviceProfile, settings: ScanSettings, add: Add): void {
  const option = profile.resolution;
  if (!option) return;
  const problem = valueProblem(option, option.type === 'int' ? Math.round(settings.dpi) : settings.dpi);
  if (problem) {
    const c = option.constraint;
    const allowed = c?.kind === 'range' ? `${c.min} to ${c.max}${c.quant > 0 ? ` in steps of ${c.quant}` : ''}` : c?.kind === 'list' ? c.values.join(', ') : String(option.value);
    throw invalid('dpi', settings.dpi, `dpi ${settings.dpi} is not supported by ${device}; allowed: ${allowed}`, c?.kind === 'range' ? { min: c.min, max: c.max, step: c.quant } : c?.kind === 'list' ? c.values : []);
  }
  add(option.name, settings.dpi, 'dpi');
  // A device with separate x and y resolutions gets the same for both.
  if (option.name === 'x-resolution') add('y-resolution', settings.dpi, 'dpi');
}

function planArea(device: string, profile: DeviceProfile, settings: ScanSettings, add: Add): void {
  const area = profile.area;
  const max = maxAreaOf(profile);
  if (!area || !max) return;
  const asked = requestedRegion(settings);
  // Nothing asked: the whole scan area, set explicitly (the handle keeps the last scan's geometry).
  const wanted = asked?.region ?? { x: 0, y: 0, width: max.width, height: max.height };
  const origin = { x: bounds(area.tlx).min, y: bounds(area.tly).min };
  if (asked?.setting === 'area') checkArea(device, asked, max);
  const fits = wanted.x + wanted.width <= max.width + 0.05 && wanted.y + wanted.height <= max.height + 0.05;
  if (!fits) {
    const paper = asked?.value;
    const within = `an area within ${round(max.width)} x ${round(max.height)} mm`;
    const sizes = paperSizesWithin(max);
    const what = typeof paper === 'string' ? `paper ${paper} (${wanted.width} x ${wanted.height} mm)` : `paper area ${wanted.width} x ${wanted.height} mm at (${wanted.x}, ${wanted.y})`;
    throw invalid('paper', paper, `${what} does not fit the scan area of ${device}; allowed: ${sizes.length ? `${sizes.join(', ')} or ` : ''}${within}`, { paperSizes: sizes, maxArea: max });
  }
  // Geometry in pixels counts at the resolution of the scan.
  const unit = (mm: number): number => (area.tlx.unit === 'pixel' ? Math.round((mm / 25.4) * settings.dpi) : mm);
  const clamp = (option: SaneOption, value: number): number => Math.min(bounds(option).max, Math.max(bounds(option).min, value));
  add('tl-x', clamp(area.tlx, unit(origin.x + wanted.x)), 'paper');
  add('tl-y', clamp(area.tly, unit(origin.y + wanted.y)), 'paper');
  add('br-x', clamp(area.brx, unit(origin.x + wanted.x + wanted.width)), 'paper');
  add('br-y', clamp(area.bry, unit(origin.y + wanted.y + wanted.height)), 'paper');
}

const round = (mm: number): number => Math.round(mm * 10) / 10;

/** An option named in ScanSettings.options: it must exist, be settable and take the value. */
function checkNamed(device: string, options: readonly SaneOption[], name: string, value: OptionValue): Assignment {
  const setting = `options.${name}`;
  const option = options.find((o) => o.name === name);
  if (!option) {
    const names = options.filter((o) => o.settable && o.count <= 1).map((o) => o.name);
    throw invalidOption(device, name, setting, value, `does not exist; options: ${names.join(', ')}`);
  }
  if (!option.settable) throw invalidOption(device, option, setting, value, 'is read-only');
  if (option.count > 1) throw invalidOption(device, option, setting, value, `holds ${option.count} values and cannot be set to one`);
  const problem = valueProblem(option, value);
  if (problem) throw invalidOption(device, option, setting, value, problem);
  return { name, value, setting, required: true };
}
