/**
 * The camera driver: webcams and document cameras through ffmpeg (`camera:`
 * ids). Listing, capabilities and controls come from v4l2-ctl on Linux and
 * from ffmpeg itself elsewhere; a capture is one ffmpeg run that hands over
 * one frame (an MJPEG frame as the camera sent it); the live preview is one
 * ffmpeg per camera shared by its viewers (PreviewHub). Without ffmpeg the
 * driver is unavailable, naming the package, and the service runs on.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo, ScanSettings } from '@scanbridge/protocol';
import type { Driver, DriverAvailability, ScanSink } from '../driver.js';
import type { Camera } from './camera-model.js';
import { discoverCameras, probeCamera, PREFIX, type CameraDetails, type TestCamera, type Tools } from './camera-discovery.js';
import { runTool } from './ffmpeg-process.js';
import { probeCameraTools, type ToolProbe } from './tool-probe.js';
import { mayFindCameras, SYSFS_VIDEO } from './camera-presence.js';
import { cameraCapabilities, defaultMode, planCapture, type CapturePlan } from './camera-settings.js';
import { previewArgs, stillArgs, type InputMode, type PreviewLimits } from './ffmpeg-args.js';
import { MpjpegReader } from './mpjpeg-reader.js';
import { cameraError } from './camera-errors.js';
import { jpegFrameInfo, withHuffmanTables } from './mjpeg-frame.js';
import { PreviewHub } from './preview-hub.js';
import { isMjpeg } from './camera-model.js';

export interface CameraDriverOptions {
  /** The ffmpeg to run: a name looked up on the PATH, or an absolute path; '' for `ffmpeg`. */
  ffmpegPath?: string;
  /** Stand-ins for cameras (tests, demos): files or lavfi graphs played as if a camera sent them. */
  testCameras?: readonly TestCamera[];
  /** Offer the machine's own cameras (off: only the test cameras). */
  systemCameras?: boolean;
  /** Where Linux lists video nodes; /sys/class/video4linux. */
  sysfs?: string;
  preview?: Partial<PreviewLimits>;
  /** ffmpeg and v4l2-ctl asked already (`scanbridge run` starts it early): used when it asked this ffmpeg. */
  toolProbe?: ToolProbe;
}

/** A frame must come within this long of starting ffmpeg (a camera that opens but sends nothing). */
const CAPTURE_LIMIT_MS = 20_000;
/** An unknown id looks for newly plugged cameras, but not more often than this. */
const RECHECK_MS = 3_000;
export const PREVIEW_DEFAULTS: PreviewLimits = { fps: 10, maxSide: 1280, quality: 6 };

interface Known {
  camera: Camera;
  details: CameraDetails | null;
  present: boolean;
}

export class CameraDriver implements Driver {
  readonly name = 'camera';
  readonly preview: PreviewHub;
  readonly previewLimits: PreviewLimits;
  private readonly ffmpeg: string;
  private verdict: DriverAvailability | null = null;
  private tools: Tools | null = null;
  private readonly known = new Map<string, Known>();
  private listedAt = 0;
  private listing: Promise<DeviceInfo[]> | null = null;
  private readonly capturing = new Set<string>();
  /** Whose cameras are listed: this machine's, or none but the test cameras ('aix' lists none). */
  private readonly where: { platform: NodeJS.Platform; sysfs: string };

  constructor(private readonly options: CameraDriverOptions = {}) {
    this.ffmpeg = options.ffmpegPath || 'ffmpeg';
    this.where = { platform: options.systemCameras === false ? 'aix' : process.platform, sysfs: options.sysfs ?? SYSFS_VIDEO };
    this.previewLimits = { ...PREVIEW_DEFAULTS, ...options.preview };
    this.preview = new PreviewHub((id) => this.previewCommand(id));
  }

  /** Whether v4l2-ctl (v4l-utils) lists formats and controls; known once availability() answered. */
  get hasV4l2ctl(): boolean {
    return this.tools?.v4l2ctl != null;
  }

  async availability(): Promise<DriverAvailability> {
    if (this.verdict) return this.verdict;
    // The service's first device list waits for this answer.
    const probe = this.options.toolProbe?.ffmpeg === this.ffmpeg ? this.options.toolProbe : probeCameraTools(this.ffmpeg);
    const [r, v4l2] = await probe.results;
    if (r.code === 0 && r.stdout.toString('utf8').startsWith('ffmpeg version')) {
      this.tools = {
        ffmpeg: this.ffmpeg,
        v4l2ctl: v4l2 && v4l2.spawnError === null && v4l2.code !== 127 && /--list-ctrls/.test(v4l2.stdout.toString('utf8') + v4l2.stderr) ? 'v4l2-ctl' : null,
        ...this.where,
      };
      return (this.verdict = { available: true });
    }
    const where = this.options.ffmpegPath ? `FfmpegPath (${this.options.ffmpegPath})` : 'ffmpeg on the PATH';
    const install = process.platform === 'win32' ? 'put ffmpeg.exe on the PATH or set FfmpegPath in scanbridge.ini' : process.platform === 'darwin' ? 'install ffmpeg (brew install ffmpeg) or set FfmpegPath in scanbridge.ini' : 'install the package ffmpeg (apt-get install ffmpeg; v4l-utils for camera controls)';
    return (this.verdict = { available: false, reason: `cameras need ffmpeg, and ${where} could not be run (${r.spawnError?.code ?? r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`}): ${install}` });
  }

  /** No test camera and no video node: nothing to list, whether ffmpeg runs or not (driver.ts). */
  nothingToList(): boolean {
    if (mayFindCameras(this.where, this.options.testCameras ?? [])) return false;
    // Those listed before are unplugged now.
    for (const known of this.known.values()) known.present = false;
    return true;
  }

  list(): Promise<DeviceInfo[]> {
    this.listing ??= this.look().finally(() => {
      this.listing = null;
    });
    return this.listing;
  }

  async capabilities(deviceId: string): Promise<Capabilities> {
    const known = await this.find(deviceId);
    return cameraCapabilities(deviceId, await this.details(known));
  }

  async validate(deviceId: string, settings: ScanSettings): Promise<void> {
    const known = await this.find(deviceId);
    if (this.capturing.has(deviceId)) throw new ScanbridgeError('device-busy', `camera "${deviceId}" is busy with a capture; wait for it to end`, { device: deviceId });
    planCapture(deviceId, await this.details(known), settings);
  }

  async scan(deviceId: string, settings: ScanSettings, sink: ScanSink, signal: AbortSignal): Promise<void> {
    const known = await this.find(deviceId);
    if (!known.present) throw new ScanbridgeError('device-gone', `camera "${deviceId}" is gone (unplugged?); reconnect it and list devices again`, { device: deviceId });
    if (this.capturing.has(deviceId)) throw new ScanbridgeError('device-busy', `camera "${deviceId}" is busy with a capture; wait for it to end`, { device: deviceId });
    this.capturing.add(deviceId);
    const resume = await this.preview.pause(deviceId);
    try {
      const plan = planCapture(deviceId, await this.details(known), settings);
      await this.applyControls(known.camera, plan);
      sink.progress({ page: 1, fraction: 0, bytes: 0, lines: 0 });
      const frame = await this.captureFrame(known.camera, plan.mode, signal);
      const info = jpegFrameInfo(frame);
      if (!info) throw new ScanbridgeError('io-error', `camera "${deviceId}" sent a frame that is not a JPEG`, { device: deviceId });
      sink.progress({ page: 1, fraction: 1, bytes: frame.length, lines: info.height });
      await sink.page({ kind: 'encoded', format: 'jpeg', bytes: frame, width: info.width, height: info.height, xdpi: settings.dpi, ydpi: settings.dpi, mode: info.components === 1 ? 'gray' : 'color', bitDepth: 8 });
    } finally {
      this.capturing.delete(deviceId);
      resume();
    }
  }

  async close(): Promise<void> {
    await this.preview.close();
  }

  /** The camera's frames as ffmpeg writes them (one still: the last of the warm-up frames). */
  private captureFrame(camera: Camera, mode: InputMode, signal: AbortSignal): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new ScanbridgeError('job-cancelled', 'the capture was cancelled'));
      let last: Buffer | null = null;
      const reader = new MpjpegReader((frame) => {
        last = frame;
      });
      const args = stillArgs(camera.input, mode);
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), CAPTURE_LIMIT_MS);
      const onAbort = (): void => limit.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      runTool(this.ffmpeg, args, { timeoutMs: CAPTURE_LIMIT_MS + 5_000, signal: limit.signal })
        .then((r) => {
          reader.push(r.stdout);
          if (signal.aborted) return reject(new ScanbridgeError('job-cancelled', 'the capture was cancelled'));
          if (r.code !== 0 || !last) {
            if (r.code === null && !r.stderr) return reject(new ScanbridgeError('io-error', `camera "${camera.id}" sent no frame within ${CAPTURE_LIMIT_MS / 1000} s`, { device: camera.id }));
            return reject(cameraError(camera.id, r.stderr));
          }
          // A UVC frame may leave out its Huffman tables; the standard ones make it a JPEG every program reads.
          resolve(isMjpeg(mode.pixelFormat) ? withHuffmanTables(last) : last);
        })
        .finally(() => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
        });
    });
  }

  private async applyControls(camera: Camera, plan: CapturePlan): Promise<void> {
    if (plan.controls.length === 0 || camera.input.kind !== 'v4l2' || !this.tools?.v4l2ctl) return;
    // Automatic modes first: an absolute focus or exposure is refused while its automatic mode is on.
    const ordered = [...plan.controls].sort((a, b) => Number(!/auto/.test(a[0])) - Number(!/auto/.test(b[0])));
    for (const [name, value] of ordered) {
      const r = await runTool(this.tools.v4l2ctl, ['-d', camera.input.node, `--set-ctrl=${name}=${value}`], { timeoutMs: 5_000 });
      if (r.code !== 0) throw new ScanbridgeError('invalid-settings', `camera "${camera.id}" refused ${name}=${value}: ${r.stderr.trim() || `v4l2-ctl exit ${r.code}`}`);
    }
  }

  private async previewCommand(deviceId: string): Promise<{ ffmpeg: string; args: string[] }> {
    const known = await this.find(deviceId);
    const details = await this.details(known);
    // The smallest MJPEG (or other) mode still as large as the preview: less for the camera and ffmpeg to move.
    const side = this.previewLimits.maxSide;
    const fitting = details.modes.filter((m) => Math.max(m.width, m.height) >= Math.min(side, 640));
    const pool = fitting.length > 0 ? fitting : details.modes;
    const byArea = [...pool].sort((a, b) => a.width * a.height - b.width * b.height || Number(isMjpeg(b.pixelFormat)) - Number(isMjpeg(a.pixelFormat)));
    const chosen = byArea.find((m) => Math.max(m.width, m.height) >= side) ?? defaultMode(details.modes);
    const mode: InputMode | null = chosen ? { pixelFormat: chosen.pixelFormat, width: chosen.width, height: chosen.height, fps: chosen.fps[0] ?? 0 } : null;
    return { ffmpeg: this.ffmpeg, args: previewArgs(known.camera.input, mode, this.previewLimits) };
  }

  private async look(): Promise<DeviceInfo[]> {
    const a = await this.availability();
    if (!a.available || !this.tools) return [];
    const cameras = await discoverCameras(this.tools, this.options.testCameras ?? []);
    for (const known of this.known.values()) known.present = false;
    for (const camera of cameras) {
      const before = this.known.get(camera.id);
      // A camera plugged into the same node may be another one: ask it again.
      const same = before && JSON.stringify(before.camera) === JSON.stringify(camera);
      this.known.set(camera.id, { camera, details: same ? before.details : null, present: true });
    }
    this.listedAt = Date.now();
    return cameras.map((c) => ({ id: c.id, driver: this.name, name: c.name, vendor: '', model: c.name, type: 'camera' }));
  }

  private async find(deviceId: string): Promise<Known> {
    if (!deviceId.startsWith(PREFIX)) throw new ScanbridgeError('unknown-device', `unknown device "${deviceId}": camera ids start with "${PREFIX}"`);
    const a = await this.availability();
    if (!a.available) throw new ScanbridgeError('driver-unavailable', `the camera driver is unavailable: ${a.reason}`);
    let known = this.known.get(deviceId);
    if (!known?.present && Date.now() - this.listedAt > RECHECK_MS) {
      await this.list();
      known = this.known.get(deviceId);
    } else if (!known) {
      await this.listing;
      known = this.known.get(deviceId);
    }
    if (!known) throw new ScanbridgeError('unknown-device', `unknown device "${deviceId}": no such camera (cameras: ${[...this.known.values()].filter((k) => k.present).map((k) => k.camera.id).join(', ') || 'none'}); use an id from ListDevices`);
    return known;
  }

  private async details(known: Known): Promise<CameraDetails> {
    if (known.details && known.details.modes.length > 0) return known.details;
    known.details = await probeCamera(this.tools!, known.camera);
    return known.details;
  }
}
