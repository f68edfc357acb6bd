/**
 * A local scanner as eSCL clients see it: its normalized capabilities written
 * as ScannerCapabilities, and a client's ScanSettings turned into our
 * ScanSettings (refused naming the setting when the device cannot do it).
 */
import { ScanSettings, type Capabilities, type ColorMode, type DeviceInfo } from '@scanbridge/protocol';
import { ESCL_UNITS_PER_INCH, type EsclCapabilities, type EsclInputCaps, type EsclScanSettings } from '../devices/escl/escl-model.js';

export const SERVED_FORMATS = ['image/jpeg', 'image/png', 'application/pdf'] as const;
export type ServedFormat = (typeof SERVED_FORMATS)[number];

export const COLOR_MODE_OF: Record<ColorMode, string> = { bw: 'BlackAndWhite1', gray: 'Grayscale8', color: 'RGB24' };
const MODE_OF_ESCL: Record<string, ColorMode> = { BlackAndWhite1: 'bw', Grayscale8: 'gray', Grayscale16: 'gray', RGB24: 'color', RGB48: 'color' };

/** Resolutions clients offer as choices: a device with a range gets the usual steps inside it. */
const COMMON_RESOLUTIONS = [75, 100, 150, 200, 240, 300, 400, 600, 1200];

export function resolutionsOf(caps: Capabilities): number[] {
  const r = caps.resolutions;
  if (Array.isArray(r)) return [...r].filter((d) => d >= 25 && d <= 4800).sort((a, b) => a - b);
  const inside = COMMON_RESOLUTIONS.filter((d) => d >= r.min && d <= r.max && (r.step <= 1 || (d - r.min) % r.step === 0));
  return inside.length > 0 ? inside : [Math.max(25, Math.round(r.min))];
}

const toUnits = (mm: number) => Math.round((mm / 25.4) * ESCL_UNITS_PER_INCH);
const toMm = (units: number) => (units / ESCL_UNITS_PER_INCH) * 25.4;

export interface ShareIdentity {
  device: DeviceInfo;
  uuid: string;
  adminUri: string;
}

export function esclCapabilitiesOf(caps: Capabilities, who: ShareIdentity): EsclCapabilities {
  const input: EsclInputCaps = {
    minWidth: 16,
    maxWidth: toUnits(caps.maxArea.width),
    minHeight: 16,
    maxHeight: toUnits(caps.maxArea.height),
    colorModes: caps.colorModes.map((m) => COLOR_MODE_OF[m]),
    documentFormats: [...SERVED_FORMATS],
    contentTypes: ['Photo', 'Text', 'TextAndPhoto'],
    resolutions: { discrete: resolutionsOf(caps), range: null },
    intents: ['Document', 'TextAndGraphic', 'Photo', 'Preview'],
  };
  const feeder = caps.sources.includes('feeder');
  const out: EsclCapabilities = {
    version: '2.63',
    makeAndModel: who.device.name || `${who.device.vendor} ${who.device.model}`.trim(),
    manufacturer: who.device.vendor || 'scanbridge',
    serialNumber: who.device.id,
    uuid: who.uuid,
    adminUri: who.adminUri,
    adfOptions: feeder && caps.duplex ? ['DetectPaperLoaded', 'Duplex'] : feeder ? ['DetectPaperLoaded'] : [],
  };
  if (caps.sources.includes('flatbed')) out.platen = input;
  if (feeder) {
    out.adfSimplex = input;
    if (caps.duplex) out.adfDuplex = input;
  }
  // Our -100..100 (0 leaves the image alone) as the 0..200 eSCL clients expect.
  if (caps.brightness) out.brightness = { min: 0, max: 200, normal: 100, step: 1 };
  if (caps.contrast) out.contrast = { min: 0, max: 200, normal: 100, step: 1 };
  return out;
}

/** What a client asked, as our settings, or a sentence saying what the device cannot do. */
export function scanSettingsOf(req: EsclScanSettings, caps: Capabilities): { settings: ScanSettings; format: ServedFormat } | { problem: string } {
  const source = req.inputSource === 'Feeder' ? 'feeder' : req.inputSource === 'Platen' ? 'flatbed' : null;
  if (!source) return { problem: `InputSource "${req.inputSource}" is not offered (Platen or Feeder)` };
  if (!caps.sources.includes(source)) return { problem: `InputSource ${req.inputSource} is not offered by this scanner` };
  if (req.duplex && (source !== 'feeder' || !caps.duplex)) return { problem: 'Duplex is not offered for this input source' };
  const mode = req.colorMode === undefined ? (caps.colorModes.includes('color') ? 'color' : caps.colorModes[0]!) : MODE_OF_ESCL[req.colorMode];
  if (!mode || !caps.colorModes.includes(mode)) return { problem: `ColorMode "${req.colorMode}" is not offered (${caps.colorModes.map((m) => COLOR_MODE_OF[m]).join(', ')})` };
  const format = (req.documentFormat ?? 'image/jpeg') as ServedFormat;
  if (!SERVED_FORMATS.includes(format)) return { problem: `DocumentFormat "${req.documentFormat}" is not offered (${SERVED_FORMATS.join(', ')})` };
  const dpis = resolutionsOf(caps);
  const dpi = req.xResolution ?? 300;
  if (req.yResolution !== undefined && req.yResolution !== dpi) return { problem: `XResolution ${dpi} and YResolution ${req.yResolution} differ; this scanner scans square pixels` };
  if (!dpis.includes(dpi)) return { problem: `XResolution ${dpi} is not offered (${dpis.join(', ')})` };
  const input: Record<string, unknown> = { source, duplex: req.duplex && source === 'feeder', mode, dpi };
  if (req.region) {
    // Clients round the device's maximum to whole units; a region a unit past it is the whole width.
    const x = Math.min(toMm(req.region.x), caps.maxArea.width);
    const y = Math.min(toMm(req.region.y), caps.maxArea.height);
    const width = Math.min(toMm(req.region.width), caps.maxArea.width - x);
    const height = Math.min(toMm(req.region.height), caps.maxArea.height - y);
    if (!(width > 0 && height > 0)) return { problem: `the ScanRegion (${req.region.width}x${req.region.height} at ${req.region.x},${req.region.y}) is outside the scan area` };
    input['area'] = { x, y, width, height };
  }
  if (req.brightness !== undefined && caps.brightness) input['brightness'] = Math.max(-100, Math.min(100, req.brightness - 100));
  if (req.contrast !== undefined && caps.contrast) input['contrast'] = Math.max(-100, Math.min(100, req.contrast - 100));
  const parsed = ScanSettings.safeParse(input);
  if (!parsed.success) return { problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') };
  return { settings: parsed.data, format };
}
