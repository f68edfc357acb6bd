/**
 * The two demo devices, what they can do, and the check of scan settings
 * against it. Error messages name the setting and list what is allowed,
 * because they end up in front of a developer trying the SDK.
 */
import { PAPER_SIZES, ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, ColorMode, DeviceInfo, PaperSize, ScanSettings, Source } from '@scanbridge/protocol';
import { checkArea, requestedRegion } from '../scan-region.js';

export interface DemoDevice {
  info: DeviceInfo;
  sources: Source[];
  duplex: boolean;
}

export const DEMO_DEVICES: readonly DemoDevice[] = [
  {
    info: { id: 'demo:scanner', driver: 'demo', name: 'scanbridge Demo Scanner', vendor: 'scanbridge', model: 'Demo DS-1', type: 'sheetfed+flatbed' },
    sources: ['flatbed', 'feeder'],
    duplex: true,
  },
  {
    info: { id: 'demo:flatbed', driver: 'demo', name: 'scanbridge Demo Flatbed', vendor: 'scanbridge', model: 'Demo FB-1', type: 'flatbed' },
    sources: ['flatbed'],
    duplex: false,
  },
];

export const COLOR_MODES: readonly ColorMode[] = ['bw', 'gray', 'color'];
export const RESOLUTIONS: readonly number[] = [75, 100, 150, 200, 300, 400, 600];
export const MAX_AREA = { width: 215.9, height: 355.6 } as const;
export const PAPER_NAMES = Object.keys(PAPER_SIZES) as PaperSize[];
const TONE_RANGE = { min: -100, max: 100, step: 1 };

/** What a page's content is per side: the invoice, its terms, or nothing (for blank page detection). */
export const PATTERNS = ['document', 'blank-backs', 'blank'] as const;
export type Pattern = (typeof PATTERNS)[number];

type OptionSpec =
  | { name: string; title: string; type: 'int'; unit: string; min: number; max: number; feederOnly: boolean }
  | { name: string; title: string; type: 'bool'; unit: string; feederOnly: boolean }
  | { name: string; title: string; type: 'string'; unit: string; values: readonly string[]; feederOnly: boolean };

const OPTIONS: readonly OptionSpec[] = [
  { name: 'sheets', title: 'Sheets in the document feeder (0: empty, to try feeder-empty)', type: 'int', unit: 'sheets', min: 0, max: 1000, feederOnly: true },
  { name: 'jamAfter', title: 'Simulate a paper jam after this many pages (0 = never)', type: 'int', unit: 'pages', min: 0, max: 1000, feederOnly: true },
  { name: 'jamAt', title: 'Simulate a paper jam at this page, keeping the pages before it (0 = never)', type: 'int', unit: 'page', min: 0, max: 1000, feederOnly: true },
  { name: 'coverOpen', title: 'Simulate an open cover', type: 'bool', unit: '', feederOnly: false },
  { name: 'pageDelay', title: 'Extra time per page, to emulate a slow scanner', type: 'int', unit: 'ms', min: 0, max: 60000, feederOnly: false },
  { name: 'pattern', title: 'Page content: document, blank backs, or blank pages', type: 'string', unit: '', values: PATTERNS, feederOnly: false },
];

export interface DemoDefaults {
  feederSheets: number;
}

const optionsOf = (device: DemoDevice): OptionSpec[] => OPTIONS.filter((o) => !o.feederOnly || device.sources.includes('feeder'));

function defaultValue(spec: OptionSpec, defaults: DemoDefaults): number | boolean | string {
  if (spec.name === 'sheets') return defaults.feederSheets;
  if (spec.type === 'bool') return false;
  if (spec.type === 'string') return spec.values[0] ?? '';
  return 0;
}

export function findDevice(deviceId: string): DemoDevice {
  const device = DEMO_DEVICES.find((d) => d.info.id === deviceId);
  if (!device) {
    const known = DEMO_DEVICES.map((d) => d.info.id);
    throw new ScanbridgeError('unknown-device', `Unknown device "${deviceId}"; known devices: ${known.join(', ')}`, { device: deviceId, known });
  }
  return device;
}

export function capabilitiesOf(device: DemoDevice, defaults: DemoDefaults): Capabilities {
  return {
    device: device.info.id,
    sources: [...device.sources],
    duplex: device.duplex,
    colorModes: [...COLOR_MODES],
    bitDepths: [1, 8],
    resolutions: [...RESOLUTIONS],
    maxArea: { ...MAX_AREA },
    paperSizes: [...PAPER_NAMES],
    brightness: { ...TONE_RANGE },
    contrast: { ...TONE_RANGE },
    options: optionsOf(device).map((spec) => ({
      name: spec.name,
      title: spec.title,
      type: spec.type,
      unit: spec.unit,
      constraint: spec.type === 'int' ? { min: spec.min, max: spec.max, step: 1 } : spec.type === 'string' ? [...spec.values] : null,
      value: defaultValue(spec, defaults),
      active: true,
      settable: true,
      setBy: null,
    })),
  };
}

/** Settings checked and resolved into what the demo scanner will do. */
export interface ScanPlan {
  device: DemoDevice;
  source: Source;
  duplex: boolean;
  mode: ColorMode;
  dpi: number;
  widthMm: number;
  heightMm: number;
  brightness: number;
  contrast: number;
  sheets: number;
  /** The page at which the feeder jams (pages before it are delivered); 0 = never. */
  jamAt: number;
  coverOpen: boolean;
  pageDelay: number;
  pattern: Pattern;
}

function invalid(setting: string, value: unknown, message: string, allowed: unknown): ScanbridgeError {
  return new ScanbridgeError('invalid-settings', message, { setting, value, allowed });
}

const show = (value: unknown): string => (typeof value === 'string' ? `"${value}"` : String(value));

export function planScan(device: DemoDevice, settings: ScanSettings, defaults: DemoDefaults): ScanPlan {
  const id = device.info.id;
  const { source, duplex, mode, dpi, brightness, contrast } = settings;
  const asked = requestedRegion(settings);
  // The demo scanner's own default is A4 (its area is Legal-sized; an invoice is A4).
  const paper = asked?.setting === 'area' ? (checkArea(id, asked, MAX_AREA), asked.value as Exclude<ScanSettings['paper'], undefined>) : (settings.paper ?? 'A4');
  if (!device.sources.includes(source)) {
    throw invalid('source', source, `source ${show(source)} is not supported by ${id}; allowed: ${device.sources.join(', ')}`, device.sources);
  }
  if (duplex && !device.duplex) throw invalid('duplex', duplex, `duplex is not supported by ${id}; allowed: false`, [false]);
  if (duplex && source !== 'feeder') throw invalid('duplex', duplex, `duplex needs source "feeder"; got source ${show(source)}`, ['feeder']);
  if (!COLOR_MODES.includes(mode)) throw invalid('mode', mode, `mode ${show(mode)} is not supported by ${id}; allowed: ${COLOR_MODES.join(', ')}`, COLOR_MODES);
  if (!RESOLUTIONS.includes(dpi)) throw invalid('dpi', dpi, `dpi ${show(dpi)} is not supported by ${id}; allowed: ${RESOLUTIONS.join(', ')}`, RESOLUTIONS);

  let widthMm: number;
  let heightMm: number;
  const areaText = `an area within ${MAX_AREA.width} x ${MAX_AREA.height} mm`;
  if (typeof paper === 'string') {
    const size = Object.hasOwn(PAPER_SIZES, paper) ? PAPER_SIZES[paper] : undefined;
    if (!size) throw invalid('paper', paper, `paper ${show(paper)} is not supported by ${id}; allowed: ${PAPER_NAMES.join(', ')} or ${areaText}`, PAPER_NAMES);
    widthMm = size.width;
    heightMm = size.height;
  } else {
    const x = paper.x ?? 0;
    const y = paper.y ?? 0;
    if (!(paper.width > 0 && paper.height > 0 && x >= 0 && y >= 0) || x + paper.width > MAX_AREA.width + 1e-9 || y + paper.height > MAX_AREA.height + 1e-9) {
      throw invalid(
        'paper',
        paper,
        `paper area ${paper.width} x ${paper.height} mm at (${x}, ${y}) exceeds the scan area of ${id}; allowed: ${areaText}`,
        MAX_AREA,
      );
    }
    // The demo document is laid out to fill whatever area is scanned.
    widthMm = paper.width;
    heightMm = paper.height;
  }
  for (const [name, value] of [['brightness', brightness], ['contrast', contrast]] as const) {
    if (!(value >= TONE_RANGE.min && value <= TONE_RANGE.max)) {
      throw invalid(name, value, `${name} ${show(value)} is out of range; allowed: ${TONE_RANGE.min} to ${TONE_RANGE.max}`, TONE_RANGE);
    }
  }
  const options = checkOptions(device, settings.options ?? {}, defaults);
  return { device, source, duplex, mode, dpi, widthMm, heightMm, brightness, contrast, ...options };
}

/** jamAfter n is a jam at page n + 1; given both, the earlier jam happens; 0 = never. */
function jamPage(at: number, after: number): number {
  const page = Math.min(at > 0 ? at : Infinity, after > 0 ? after + 1 : Infinity);
  return Number.isFinite(page) ? page : 0;
}

function checkOptions(device: DemoDevice, given: Record<string, unknown>, defaults: DemoDefaults): Pick<ScanPlan, 'sheets' | 'jamAt' | 'coverOpen' | 'pageDelay' | 'pattern'> {
  const specs = optionsOf(device);
  const values = new Map<string, unknown>(specs.map((spec) => [spec.name, defaultValue(spec, defaults)]));
  for (const [name, value] of Object.entries(given)) {
    const spec = specs.find((s) => s.name === name);
    const names = specs.map((s) => s.name);
    if (!spec) throw invalid(`options.${name}`, value, `option ${show(name)} is not supported by ${device.info.id}; allowed: ${names.join(', ')}`, names);
    if (spec.type === 'int' && !(typeof value === 'number' && Number.isInteger(value) && value >= spec.min && value <= spec.max)) {
      throw invalid(`options.${name}`, value, `option "${name}" must be an integer from ${spec.min} to ${spec.max}; got ${show(value)}`, { min: spec.min, max: spec.max, step: 1 });
    }
    if (spec.type === 'bool' && typeof value !== 'boolean') {
      throw invalid(`options.${name}`, value, `option "${name}" must be true or false; got ${show(value)}`, [true, false]);
    }
    if (spec.type === 'string' && !(typeof value === 'string' && spec.values.includes(value))) {
      throw invalid(`options.${name}`, value, `option "${name}" must be one of: ${spec.values.join(', ')}; got ${show(value)}`, spec.values);
    }
    values.set(name, value);
  }
  return {
    sheets: Number(values.get('sheets') ?? 1),
    jamAt: jamPage(Number(values.get('jamAt') ?? 0), Number(values.get('jamAfter') ?? 0)),
    coverOpen: values.get('coverOpen') === true,
    pageDelay: Number(values.get('pageDelay') ?? 0),
    pattern: (values.get('pattern') ?? 'document') as Pattern,
  };
}
