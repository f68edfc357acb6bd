/**
 * A network scanner's ScannerCapabilities in the normalized model, and our
 * ScanSettings as the eSCL ScanSettings it is sent (refused naming the
 * setting and what the device offers when it cannot be).
 */
import { PAPER_SIZES, ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, ColorMode, PaperSize, ScanSettings } from '@scanbridge/protocol';
import { ESCL_UNITS_PER_INCH, type EsclCapabilities, type EsclInputCaps, type EsclRange, type EsclScanSettings } from './escl-model.js';

const MODE_OF: Record<string, ColorMode> = { BlackAndWhite1: 'bw', Grayscale8: 'gray', RGB24: 'color' };
const ESCL_MODE: Record<ColorMode, string> = { bw: 'BlackAndWhite1', gray: 'Grayscale8', color: 'RGB24' };
/** Formats that go into the buffer as they come (no decoding, no re-encoding). */
const PAGE_FORMATS = ['image/jpeg', 'image/png'];

type Caps = Capabilities;
type Option = Caps['options'][number];

const toMm = (units: number) => Math.round((units / ESCL_UNITS_PER_INCH) * 25.4 * 10) / 10;
const toUnits = (mm: number) => Math.round((mm / 25.4) * ESCL_UNITS_PER_INCH);

function inputsOf(caps: EsclCapabilities): EsclInputCaps[] {
  return [caps.platen, caps.adfSimplex, caps.adfDuplex].filter((c): c is EsclInputCaps => c !== undefined);
}

function inputFor(caps: EsclCapabilities, settings: Pick<ScanSettings, 'source' | 'duplex'>): EsclInputCaps | undefined {
  if (settings.source === 'flatbed') return caps.platen;
  return settings.duplex ? caps.adfDuplex : caps.adfSimplex;
}

function resolutionsOf(inputs: EsclInputCaps[]): number[] | { min: number; max: number; step: number } {
  const discrete = [...new Set(inputs.flatMap((i) => i.resolutions.discrete))].sort((a, b) => a - b);
  if (discrete.length > 0) return discrete;
  const ranges = inputs.map((i) => i.resolutions.range).filter((r): r is EsclRange => r !== null);
  if (ranges.length === 0) return [300];
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)), step: Math.min(...ranges.map((r) => r.step)) };
}

const rangeOption = (name: string, title: string, r: EsclRange, setBy: Option['setBy'] = null): Option => ({
  name,
  title,
  type: 'int',
  unit: '',
  constraint: { min: r.min, max: r.max, step: r.step },
  value: r.normal,
  active: true,
  settable: true,
  setBy,
});

export function normalizedCapabilities(deviceId: string, caps: EsclCapabilities): Capabilities {
  const inputs = inputsOf(caps);
  const modes = new Set(inputs.flatMap((i) => i.colorModes.map((m) => MODE_OF[m]).filter((m): m is ColorMode => m !== undefined)));
  const colorModes = (['bw', 'gray', 'color'] as const).filter((m) => modes.has(m));
  const maxArea = { width: toMm(Math.max(...inputs.map((i) => i.maxWidth))), height: toMm(Math.max(...inputs.map((i) => i.maxHeight))) };
  const formats = [...new Set(inputs.flatMap((i) => i.documentFormats))];
  const intents = [...new Set(inputs.flatMap((i) => i.intents))];
  const options: Option[] = [];
  if (formats.length > 0) {
    const usable = formats.filter((f) => PAGE_FORMATS.includes(f));
    options.push({ name: 'document-format', title: 'Format the scanner sends pages in (JPEG goes into the buffer as it comes)', type: 'string', unit: '', constraint: usable, value: usable[0] ?? null, active: usable.length > 0, settable: usable.length > 1, setBy: null });
  }
  if (intents.length > 0) options.push({ name: 'intent', title: 'What is scanned (the device tunes its processing to it)', type: 'string', unit: '', constraint: intents, value: intents.includes('Document') ? 'Document' : intents[0]!, active: true, settable: true, setBy: null });
  if (caps.brightness) options.push(rangeOption('brightness', 'Brightness (device scale)', caps.brightness, 'brightness'));
  if (caps.contrast) options.push(rangeOption('contrast', 'Contrast (device scale)', caps.contrast, 'contrast'));
  if (caps.threshold) options.push(rangeOption('threshold', 'Black-and-white threshold', caps.threshold));
  if (caps.sharpen) options.push(rangeOption('sharpen', 'Sharpening', caps.sharpen));
  if (caps.compressionFactor) options.push(rangeOption('compression-factor', 'Compression (higher: smaller, lossier JPEG)', caps.compressionFactor));
  return {
    device: deviceId,
    sources: [...(caps.platen ? (['flatbed'] as const) : []), ...(caps.adfSimplex ? (['feeder'] as const) : [])],
    duplex: caps.adfDuplex !== undefined,
    colorModes,
    bitDepths: [...(modes.has('bw') ? [1] : []), ...(modes.has('gray') || modes.has('color') ? [8] : [])],
    resolutions: resolutionsOf(inputs),
    maxArea,
    paperSizes: (Object.keys(PAPER_SIZES) as PaperSize[]).filter((p) => PAPER_SIZES[p].width <= maxArea.width + 0.5 && PAPER_SIZES[p].height <= maxArea.height + 0.5),
    brightness: caps.brightness ? { min: -100, max: 100, step: 1 } : null,
    contrast: caps.contrast ? { min: -100, max: 100, step: 1 } : null,
    options,
  };
}

const invalid = (setting: string, message: string, allowed?: unknown) => new ScanbridgeError('invalid-settings', message, { setting, ...(allowed === undefined ? {} : { allowed }) });

/** Our -100..100 (0: as the device delivers) on the device's range around its normal value. */
function scaled(value: number, r: EsclRange): number {
  const span = value >= 0 ? r.max - r.normal : r.normal - r.min;
  const raw = Math.round(r.normal + (value / 100) * span);
  return Math.max(r.min, Math.min(r.max, r.min + Math.round((raw - r.min) / r.step) * r.step));
}

function rawInt(settings: ScanSettings, name: string, r: EsclRange | undefined): number | undefined {
  const value = settings.options[name];
  if (value === undefined) return undefined;
  if (!r) throw invalid(`options.${name}`, `option ${name} is not offered by this scanner`);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < r.min || value > r.max) throw invalid(`options.${name}`, `options.${name}: expected an integer ${r.min}..${r.max}, got ${JSON.stringify(value)}`, r);
  return value;
}

/** The eSCL ScanSettings for our settings, or invalid-settings naming what the device does not offer. */
export function esclSettingsOf(deviceId: string, caps: EsclCapabilities, settings: ScanSettings): EsclScanSettings {
  const known = new Set(['document-format', 'intent', 'brightness', 'contrast', 'threshold', 'sharpen', 'compression-factor']);
  for (const name of Object.keys(settings.options)) if (!known.has(name)) throw invalid(`options.${name}`, `unknown option "${name}" for ${deviceId}; options: ${[...known].join(', ')}`, [...known]);
  const input = inputFor(caps, settings);
  if (!input) {
    const sources = [...(caps.platen ? ['flatbed'] : []), ...(caps.adfSimplex ? ['feeder'] : [])];
    if (settings.duplex && settings.source === 'feeder' && caps.adfSimplex) throw invalid('duplex', `${deviceId} has no duplex feeder`, [false]);
    throw invalid('source', `source ${settings.source} is not offered by ${deviceId}; allowed: ${sources.join(', ')}`, sources);
  }
  if (settings.duplex && settings.source !== 'feeder') throw invalid('duplex', 'duplex needs source feeder', [false]);
  const colorMode = ESCL_MODE[settings.mode];
  const modes = input.colorModes.map((m) => MODE_OF[m]).filter((m) => m !== undefined);
  if (!input.colorModes.includes(colorMode)) throw invalid('mode', `mode ${settings.mode} is not offered by ${deviceId} for ${settings.source}; allowed: ${modes.join(', ')}`, modes);
  const { discrete, range } = input.resolutions;
  const dpiOk = discrete.length > 0 ? discrete.includes(settings.dpi) : range ? settings.dpi >= range.min && settings.dpi <= range.max && (settings.dpi - range.min) % range.step === 0 : settings.dpi === 300;
  if (!dpiOk) {
    const allowed = discrete.length > 0 ? discrete : range ? { min: range.min, max: range.max, step: range.step } : [300];
    throw invalid('dpi', `dpi ${settings.dpi} is not offered by ${deviceId}; allowed: ${Array.isArray(allowed) ? allowed.join(', ') : `${allowed.min}..${allowed.max} in steps of ${allowed.step}`}`, allowed);
  }
  const usable = input.documentFormats.filter((f) => PAGE_FORMATS.includes(f));
  const asked = settings.options['document-format'];
  if (asked !== undefined && (typeof asked !== 'string' || !usable.includes(asked))) throw invalid('options.document-format', `options.document-format: expected one of ${usable.join(', ')}, got ${JSON.stringify(asked)}`, usable);
  // The device's own first choice (scanners list JPEG, their hardware's format; a scanbridge server lists PNG,
  // its lossless original), either going into the buffer as it comes; line art is kept lossless.
  const documentFormat = (asked as string | undefined) ?? (settings.mode === 'bw' && usable.includes('image/png') ? 'image/png' : usable[0]);
  if (!documentFormat) throw invalid('source', `${deviceId} sends pages only as ${input.documentFormats.join(', ') || 'nothing it names'}; scanbridge takes JPEG or PNG`, usable);

  const maxW = toMm(input.maxWidth);
  const maxH = toMm(input.maxHeight);
  const paper = settings.area ?? (typeof settings.paper === 'string' ? { x: 0, y: 0, ...PAPER_SIZES[settings.paper] } : settings.paper) ?? { x: 0, y: 0, width: maxW, height: maxH };
  const x = paper.x ?? 0;
  const y = paper.y ?? 0;
  if (x + paper.width > maxW + 0.5 || y + paper.height > maxH + 0.5) {
    const setting = settings.area ? 'area' : 'paper';
    throw invalid(setting, `${setting} ${paper.width} x ${paper.height} mm at (${x}, ${y}) exceeds the scan area of ${deviceId} (${maxW} x ${maxH} mm)`, { width: maxW, height: maxH });
  }
  const region = {
    x: toUnits(x),
    y: toUnits(y),
    width: Math.min(toUnits(paper.width), input.maxWidth - toUnits(x)),
    height: Math.min(toUnits(paper.height), input.maxHeight - toUnits(y)),
  };
  const out: EsclScanSettings = {
    version: '2.0',
    intent: (settings.options['intent'] as string | undefined) ?? (input.intents.includes('Document') ? 'Document' : undefined),
    region,
    inputSource: settings.source === 'flatbed' ? 'Platen' : 'Feeder',
    duplex: settings.source === 'feeder' && settings.duplex,
    documentFormat,
    colorMode,
    xResolution: settings.dpi,
    yResolution: settings.dpi,
  };
  if (out.intent === undefined) delete out.intent;
  const brightness = rawInt(settings, 'brightness', caps.brightness) ?? (settings.brightness !== 0 && caps.brightness ? scaled(settings.brightness, caps.brightness) : undefined);
  const contrast = rawInt(settings, 'contrast', caps.contrast) ?? (settings.contrast !== 0 && caps.contrast ? scaled(settings.contrast, caps.contrast) : undefined);
  if ((settings.brightness !== 0 && !caps.brightness) || (settings.contrast !== 0 && !caps.contrast)) {
    const which = settings.brightness !== 0 && !caps.brightness ? 'brightness' : 'contrast';
    throw invalid(which, `${which} is not adjustable on ${deviceId}; leave it at 0`, [0]);
  }
  const extra = { brightness, contrast, threshold: rawInt(settings, 'threshold', caps.threshold), sharpen: rawInt(settings, 'sharpen', caps.sharpen), compressionFactor: rawInt(settings, 'compression-factor', caps.compressionFactor) };
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) out[key as keyof typeof extra] = value;
  return out;
}
