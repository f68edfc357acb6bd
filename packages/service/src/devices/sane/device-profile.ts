/**
 * Which SANE options play which normalized role. Backends name things
 * differently ("Flatbed", "ADF Front", "Automatic Document Feeder", "ADF
 * Duplex"; "Lineart", "Binary", "Gray", "Grayscale", "Color", "24bit Color"),
 * so roles are found by the well-known option names of the SANE standard and
 * by patterns over their values.
 */
import type { ColorMode, Source } from '@scanbridge/protocol';
import type { OptionValue, SaneOption } from './sane-model.js';

export interface ModeChoice {
  /** Value of the `mode` option, if the device has one. */
  mode: string | null;
  /** Bit depth to ask for with it (line-art through a 1-bit grey mode), if any. */
  depth: number | null;
}

export interface DeviceProfile {
  /** Value of the `source` option for each normalized source (and for duplex). */
  sources: Partial<Record<Source | 'duplex', string>>;
  /** A separate switch for duplex scanning (a `duplex` bool, or an `adf-mode` list), when sources do not name it. */
  duplexSwitch: { name: string; on: OptionValue; off: OptionValue } | null;
  modes: Partial<Record<ColorMode, ModeChoice>>;
  depths: number[];
  resolution: SaneOption | null;
  /** tl-x, tl-y, br-x, br-y, when all four exist. */
  area: { tlx: SaneOption; tly: SaneOption; brx: SaneOption; bry: SaneOption } | null;
  brightness: SaneOption | null;
  contrast: SaneOption | null;
}

const DUPLEX = /duplex/i;
const FEEDER = /adf|feeder|automatic document|sheet ?fed/i;
const FLATBED = /flatbed|platen|normal|document table/i;
const LINEART = /lineart|line art|binary|black ?(?:&|and) ?white|^bw$|monochrome/i;
const HALFTONE = /halftone|dither/i;
const GRAY = /gr[ae]y/i;
const COLOR = /colou?r|^rgb$/i;

const named = (options: readonly SaneOption[], name: string): SaneOption | null => options.find((o) => o.name === name) ?? null;

/** Values an option can take, from its constraint (a range gives its ends). */
export function choices(option: SaneOption | null): (string | number)[] {
  const c = option?.constraint;
  if (!c) return [];
  if (c.kind === 'range') return [c.min, c.max];
  return [...c.values];
}

function depthsOf(option: SaneOption | null): number[] {
  const c = option?.constraint;
  if (!c) return typeof option?.value === 'number' ? [option.value] : [];
  if (c.kind === 'range') return [1, 8, 16].filter((d) => d >= c.min && d <= c.max);
  if (c.kind === 'list') return [...c.values].sort((a, b) => a - b);
  return [];
}

function sourcesOf(option: SaneOption | null): DeviceProfile['sources'] {
  const values = choices(option).filter((v): v is string => typeof v === 'string');
  const sources: DeviceProfile['sources'] = {};
  for (const value of values) {
    if (DUPLEX.test(value)) sources.duplex ??= value;
    else if (FEEDER.test(value)) sources.feeder ??= value;
    else if (FLATBED.test(value)) sources.flatbed ??= value;
  }
  return sources;
}

function duplexSwitchOf(options: readonly SaneOption[]): DeviceProfile['duplexSwitch'] {
  const flag = named(options, 'duplex');
  if (flag?.type === 'bool') return { name: flag.name, on: true, off: false };
  const mode = named(options, 'adf-mode') ?? named(options, 'adf_mode');
  const values = choices(mode).filter((v): v is string => typeof v === 'string');
  const on = values.find((v) => DUPLEX.test(v));
  const off = values.find((v) => /simplex|single/i.test(v));
  return mode && on && off ? { name: mode.name, on, off } : null;
}

function modesOf(option: SaneOption | null, depths: number[]): DeviceProfile['modes'] {
  if (!option) return { color: { mode: null, depth: null } };
  const values = choices(option).filter((v): v is string => typeof v === 'string');
  const plain = values.filter((v) => !LINEART.test(v) && !HALFTONE.test(v));
  const modes: DeviceProfile['modes'] = {};
  const color = plain.find((v) => COLOR.test(v));
  const gray = plain.find((v) => GRAY.test(v));
  const lineart = values.find((v) => LINEART.test(v) && !COLOR.test(v)) ?? values.find((v) => HALFTONE.test(v) && !COLOR.test(v));
  if (lineart) modes.bw = { mode: lineart, depth: null };
  else if (gray && depths.includes(1)) modes.bw = { mode: gray, depth: 1 };
  if (gray) modes.gray = { mode: gray, depth: depths.includes(8) ? 8 : null };
  if (color) modes.color = { mode: color, depth: depths.includes(8) ? 8 : null };
  return modes;
}

/** `deviceType` is SANE's device type ("flatbed scanner", "sheetfed scanner"...), used when there is no source option. */
export function profileOf(options: readonly SaneOption[], deviceType = ''): DeviceProfile {
  const depthOption = named(options, 'depth');
  const depths = depthsOf(depthOption);
  const [tlx, tly, brx, bry] = ['tl-x', 'tl-y', 'br-x', 'br-y'].map((n) => named(options, n));
  const tone = (name: string): SaneOption | null => {
    const option = named(options, name);
    return option && (option.type === 'int' || option.type === 'fixed') && option.constraint?.kind === 'range' ? option : null;
  };
  const sourceOption = named(options, 'source');
  // Without a source option the device has one source, which its type names; '' means "nothing to set".
  const sources = sourceOption ? sourcesOf(sourceOption) : /sheet ?fed|adf|feeder/i.test(deviceType) ? { feeder: '' } : { flatbed: '' };
  return {
    sources,
    duplexSwitch: sources.duplex ? null : duplexSwitchOf(options),
    modes: modesOf(named(options, 'mode'), depths),
    depths,
    resolution: named(options, 'resolution') ?? named(options, 'x-resolution'),
    area: tlx && tly && brx && bry ? { tlx, tly, brx, bry } : null,
    brightness: tone('brightness'),
    contrast: tone('contrast'),
  };
}

/** Lowest and highest value of a number option's constraint (or its current value). */
export function bounds(option: SaneOption): { min: number; max: number } {
  const c = option.constraint;
  if (c?.kind === 'range') return { min: c.min, max: c.max };
  if (c?.kind === 'list' && c.values.length > 0) return { min: Math.min(...c.values), max: Math.max(...c.values) };
  const v = typeof option.value === 'number' ? option.value : 0;
  return { min: v, max: v };
}
