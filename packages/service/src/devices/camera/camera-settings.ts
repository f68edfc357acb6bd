/**
 * A camera's capabilities in the normalized model, and the check of scan
 * settings against them. A camera has no scan area or feeder: what it
 * offers lives in its raw options: `resolution` (frame size "WxH"),
 * `pixelFormat`, `framerate`, and its controls (brightness, contrast,
 * focus_absolute, zoom_absolute, exposure...) as v4l2-ctl names them.
 * `dpi` only stamps the page (a camera has no physical resolution).
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, ScanSettings } from '@scanbridge/protocol';
import type { CameraControl, CameraMode } from './camera-model.js';
import { isMjpeg, sizesOf } from './camera-model.js';
import type { CameraDetails } from './camera-discovery.js';
import type { InputMode } from './ffmpeg-args.js';

type RawOption = Capabilities['options'][number];

/** Controls the normalized brightness and contrast settings drive. */
const NORMALIZED: Record<string, 'brightness' | 'contrast'> = { brightness: 'brightness', contrast: 'contrast' };

/** The mode a capture uses by default: the largest frame, in MJPEG when offered there (the camera's own JPEG). */
export function defaultMode(modes: readonly CameraMode[]): CameraMode | null {
  const [size] = sizesOf(modes);
  if (!size) return null;
  const at = modes.filter((m) => `${m.width}x${m.height}` === size);
  return at.find((m) => isMjpeg(m.pixelFormat)) ?? at[0]!;
}

export function cameraCapabilities(deviceId: string, details: CameraDetails): Capabilities {
  const modes = details.modes;
  const mode = defaultMode(modes);
  const fps = [...new Set(modes.flatMap((m) => m.fps))].sort((a, b) => b - a);
  const options: RawOption[] = [
    { name: 'resolution', title: 'Frame size (width x height)', type: 'string', unit: 'pixel', constraint: sizesOf(modes), value: mode ? `${mode.width}x${mode.height}` : null, active: true, settable: true, setBy: null },
    { name: 'pixelFormat', title: 'Pixel format the camera sends (mjpeg: its own JPEG, kept as sent)', type: 'string', unit: 'none', constraint: [...new Set(modes.map((m) => m.pixelFormat))], value: mode?.pixelFormat ?? null, active: true, settable: true, setBy: null },
    { name: 'framerate', title: 'Frames per second', type: 'float', unit: 'none', constraint: fps, value: mode?.fps[0] ?? null, active: fps.length > 0, settable: fps.length > 0, setBy: null },
    ...details.controls.map(controlOption),
  ];
  const range = (name: string) => (details.controls.some((c) => c.name === name && c.type === 'int') ? { min: -100, max: 100, step: 1 } : null);
  return {
    device: deviceId,
    sources: ['flatbed'],
    duplex: false,
    colorModes: ['color'],
    bitDepths: [8],
    resolutions: { min: 25, max: 4800, step: 1 },
    // A camera's view has no size on paper: 0 x 0, as the protocol documents.
    maxArea: { width: 0, height: 0 },
    paperSizes: [],
    brightness: range('brightness'),
    contrast: range('contrast'),
    options,
  };
}

function controlOption(c: CameraControl): RawOption {
  const constraint = c.type === 'menu' ? c.menu.map((m) => m.value) : c.type === 'bool' ? null : { min: c.min, max: c.max, step: c.step };
  return { name: c.name, title: c.name.replace(/_/g, ' '), type: c.type === 'bool' ? 'bool' : 'int', unit: 'none', constraint, value: c.type === 'bool' ? c.value !== 0 : c.value, active: !c.inactive, settable: true, setBy: NORMALIZED[c.name] ?? null };
}

export interface CapturePlan {
  mode: InputMode;
  /** v4l2-ctl --set-ctrl assignments, in the order given. */
  controls: [string, number][];
}

const invalid = (message: string) => new ScanbridgeError('invalid-settings', message);

/** The capture a camera makes for these settings, or invalid-settings naming what it offers instead. */
export function planCapture(deviceId: string, details: CameraDetails, settings: ScanSettings): CapturePlan {
  if (settings.source !== 'flatbed') throw invalid(`settings.source: a camera has no document feeder; use "flatbed" (the camera's view)`);
  if (settings.duplex) throw invalid('settings.duplex: a camera sees one side; leave duplex off');
  if (settings.mode !== 'color') throw invalid(`settings.mode: camera "${deviceId}" captures "color" only; convert afterwards (ConvertImagesToGray, ConvertImagesToBW)`);
  if (settings.paper !== undefined || settings.area !== undefined) throw invalid('settings.paper/area: a camera captures its whole view; crop the page afterwards (CropImages, or document detection)');
  const modes = details.modes;
  const fallback = defaultMode(modes);
  if (!fallback) throw new ScanbridgeError('device-gone', `camera "${deviceId}" offers no frame format now (unplugged or in use?); reconnect it and list devices again`, { device: deviceId });
  const opts = settings.options;
  const known = new Set(['resolution', 'pixelFormat', 'framerate', ...details.controls.map((c) => c.name)]);
  for (const name of Object.keys(opts)) {
    if (!known.has(name)) throw invalid(`settings.options.${name}: camera "${deviceId}" has no such option; it has ${[...known].join(', ')}`);
  }
  let size = `${fallback.width}x${fallback.height}`;
  if (opts.resolution !== undefined) {
    size = String(opts.resolution).trim().toLowerCase();
    const offered = sizesOf(modes);
    if (!offered.includes(size)) throw invalid(`settings.options.resolution: camera "${deviceId}" does not offer ${JSON.stringify(opts.resolution)}; it offers ${offered.join(', ')}`);
  }
  const atSize = modes.filter((m) => `${m.width}x${m.height}` === size);
  let mode = atSize.find((m) => isMjpeg(m.pixelFormat)) ?? atSize[0]!;
  if (opts.pixelFormat !== undefined) {
    const wanted = atSize.find((m) => m.pixelFormat === opts.pixelFormat);
    if (!wanted) throw invalid(`settings.options.pixelFormat: camera "${deviceId}" does not send ${JSON.stringify(opts.pixelFormat)} at ${size}; it sends ${atSize.map((m) => m.pixelFormat).join(', ')} there`);
    mode = wanted;
  }
  let fps = mode.fps[0] ?? 0;
  if (opts.framerate !== undefined) {
    const wanted = Number(opts.framerate);
    if (!mode.fps.includes(wanted)) throw invalid(`settings.options.framerate: camera "${deviceId}" does not offer ${JSON.stringify(opts.framerate)} fps for ${mode.pixelFormat} at ${size}; it offers ${mode.fps.join(', ') || 'only its default rate'}`);
    fps = wanted;
  }
  const controls: [string, number][] = [];
  for (const c of details.controls) {
    const normalized = NORMALIZED[c.name];
    if (normalized && settings[normalized] !== 0 && opts[c.name] === undefined) {
      // -100..100 around the camera's default, spread over its range.
      const v = settings[normalized];
      const span = v > 0 ? c.max - c.default : c.default - c.min;
      controls.push([c.name, Math.round(c.default + (v / 100) * span)]);
    }
    if (opts[c.name] === undefined) continue;
    const raw = opts[c.name];
    const value = typeof raw === 'boolean' ? (raw ? 1 : 0) : Number(raw);
    const allowed = c.type === 'menu' ? c.menu.some((m) => m.value === value) : c.type === 'bool' ? value === 0 || value === 1 : Number.isInteger(value) && value >= c.min && value <= c.max;
    if (!allowed) {
      const range = c.type === 'menu' ? c.menu.map((m) => `${m.value} (${m.label})`).join(', ') : c.type === 'bool' ? 'true or false' : `an integer ${c.min}..${c.max}`;
      throw invalid(`settings.options.${c.name}: ${JSON.stringify(raw)} is out of range for camera "${deviceId}"; expected ${range}`);
    }
    controls.push([c.name, value]);
  }
  return { mode: { pixelFormat: mode.pixelFormat, width: mode.width, height: mode.height, fps }, controls };
}
