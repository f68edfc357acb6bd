/**
 * A SANE device's options as scanbridge's normalized capabilities, plus
 * every raw option (type, unit, constraint, value, whether active and
 * settable) so that backend-specific features stay reachable.
 */
import { PAPER_SIZES } from '@scanbridge/protocol/core';
import type { Capabilities, ColorMode, PaperSize, Source } from '@scanbridge/protocol';
import { bounds, profileOf, type DeviceProfile } from './device-profile.js';
import type { SaneOption } from './sane-model.js';

/** ScanSettings' brightness and contrast scale; mapped onto the device's own range. */
export const TONE_RANGE = { min: -100, max: 100, step: 1 } as const;

const MODE_ORDER: readonly ColorMode[] = ['bw', 'gray', 'color'];
const MM_PER_INCH = 25.4;

/** The largest scan area in millimetres, or null when the device has no geometry options. */
export function maxAreaOf(profile: DeviceProfile): { width: number; height: number } | null {
  const area = profile.area;
  if (!area) return null;
  const width = bounds(area.brx).max - bounds(area.tlx).min;
  const height = bounds(area.bry).max - bounds(area.tly).min;
  if (area.brx.unit === 'pixel') {
    // Geometry in pixels is at the current resolution.
    const dpi = typeof profile.resolution?.value === 'number' ? profile.resolution.value : 0;
    return dpi > 0 ? { width: (width / dpi) * MM_PER_INCH, height: (height / dpi) * MM_PER_INCH } : null;
  }
  return { width, height };
}

export function paperSizesWithin(area: { width: number; height: number } | null): PaperSize[] {
  if (!area) return Object.keys(PAPER_SIZES) as PaperSize[];
  return (Object.keys(PAPER_SIZES) as PaperSize[]).filter((p) => PAPER_SIZES[p].width <= area.width + 0.05 && PAPER_SIZES[p].height <= area.height + 0.05);
}

function resolutionsOf(option: SaneOption | null): Capabilities['resolutions'] {
  const c = option?.constraint;
  if (c?.kind === 'range') return { min: c.min, max: c.max, step: c.quant > 0 ? c.quant : 1 };
  if (c?.kind === 'list') return [...c.values].sort((a, b) => a - b);
  return typeof option?.value === 'number' ? [option.value] : [];
}

type SetBy = Capabilities['options'][number]['setBy'];

/** Which normalized setting drives each SANE option the profile recognised. */
function setByOf(profile: DeviceProfile, options: readonly SaneOption[]): Map<string, NonNullable<SetBy>> {
  const map = new Map<string, NonNullable<SetBy>>();
  if (options.some((o) => o.name === 'source')) map.set('source', 'source');
  if (profile.duplexSwitch) map.set(profile.duplexSwitch.name, 'duplex');
  for (const name of ['mode', 'depth']) map.set(name, 'mode');
  if (profile.resolution) for (const name of [profile.resolution.name, 'y-resolution']) map.set(name, 'dpi');
  if (profile.area) for (const name of ['tl-x', 'tl-y', 'br-x', 'br-y']) map.set(name, 'paper');
  if (profile.brightness) map.set(profile.brightness.name, 'brightness');
  if (profile.contrast) map.set(profile.contrast.name, 'contrast');
  return map;
}

function rawOptions(options: readonly SaneOption[], setBy: Map<string, NonNullable<SetBy>>): Capabilities['options'] {
  return options.map((o) => ({
    name: o.name,
    title: o.title,
    type: o.type === 'fixed' ? 'float' : o.type,
    unit: o.unit,
    constraint: o.constraint === null ? null : o.constraint.kind === 'range' ? { min: o.constraint.min, max: o.constraint.max, step: o.constraint.quant } : [...o.constraint.values],
    value: o.value,
    active: o.active,
    // An array (a gamma table) cannot be set through a single value in ScanSettings.options.
    settable: o.settable && o.count <= 1,
    setBy: setBy.get(o.name) ?? null,
  }));
}

export function capabilitiesOf(device: string, options: readonly SaneOption[], deviceType = ''): Capabilities {
  const profile = profileOf(options, deviceType);
  const sources = (['flatbed', 'feeder'] as const).filter((s): s is Source => profile.sources[s] !== undefined);
  const colorModes = MODE_ORDER.filter((m) => profile.modes[m]);
  const bitDepths = [...new Set([...(profile.modes.bw ? [1] : []), ...(profile.depths.length ? profile.depths : colorModes.some((m) => m !== 'bw') ? [8] : [])])].sort((a, b) => a - b);
  const maxArea = maxAreaOf(profile);
  return {
    device,
    sources,
    duplex: profile.sources.duplex !== undefined || profile.duplexSwitch !== null,
    colorModes,
    bitDepths,
    resolutions: resolutionsOf(profile.resolution),
    maxArea: maxArea ?? { width: 0, height: 0 },
    paperSizes: paperSizesWithin(maxArea),
    brightness: profile.brightness ? { ...TONE_RANGE } : null,
    contrast: profile.contrast ? { ...TONE_RANGE } : null,
    options: rawOptions(options, setByOf(profile, options)),
  };
}
