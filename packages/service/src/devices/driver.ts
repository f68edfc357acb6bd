/**
 * The one driver interface every scanner backend implements (demo, SANE,
 * eSCL, webcams...). Three calls, as in NAPS2: list devices, describe one,
 * scan with it. Pages and progress stream through the sink; every scan can be
 * cancelled through its AbortSignal.
 */
import type { Capabilities, ColorMode, DeviceInfo, ScanSettings } from '@scanbridge/protocol';
import type { PagePreview } from '../imaging/page-preview.js';

/** Raw pixels as a scanner delivers them, one page. */
export interface RawPage {
  kind: 'raw';
  width: number;
  height: number;
  /** 1 (grey or line-art) or 3 (RGB). */
  channels: 1 | 3;
  /** Bits per sample: 1 (line-art, packed MSB first, 1 = black, rows padded to a byte), 8 or 16 (in the host's byte order, as SANE delivers them). */
  bitDepth: 1 | 8 | 16;
  data: Buffer;
  xdpi: number;
  ydpi: number;
  mode: ColorMode;
}

/** An already encoded page (a JPEG from the device, a PNG a driver rendered). */
export interface EncodedPage {
  kind: 'encoded';
  format: 'png' | 'jpeg';
  bytes: Buffer;
  width: number;
  height: number;
  xdpi: number;
  ydpi: number;
  mode: ColorMode;
  bitDepth: number;
  /** Its thumbnail, when the driver made one from the pixels it encoded (SANE's device worker). */
  preview?: PagePreview | undefined;
}

export type AcquiredPage = RawPage | EncodedPage;

export interface ScanProgress {
  /** 1-based number of the page being acquired. */
  page: number;
  /** 0..1 of the current page. */
  fraction: number;
  bytes: number;
  lines: number;
}

export interface ScanSink {
  /** Called once per page, in order; the driver waits for it before going on (back-pressure). */
  page(page: AcquiredPage): Promise<void>;
  progress(progress: ScanProgress): void;
  /**
   * The pages go out over the network as they are (the eSCL server), not into
   * the buffer: a driver that encodes pages itself (SANE's device worker)
   * makes no thumbnails and compresses them as ingest.ts does for the network.
   */
  readonly network?: boolean;
  /**
   * The form network pages go out in: a driver that encodes pages itself
   * encodes 8-bit pages as JPEG when the client asked for JPEG, once, instead
   * of a PNG the eSCL server would turn into one. Default png.
   */
  readonly networkFormat?: 'png' | 'jpeg';
}

export type DriverAvailability = { available: true } | { available: false; reason: string };

export interface Driver {
  /** Prefix of the device ids of this driver ("demo", "sane"...). */
  readonly name: string;
  availability(): Promise<DriverAvailability>;
  /**
   * Devices currently present. Ids are `<driver>:<local id>` and stable across
   * calls. `askNetwork`: a page asked for a fresh list (ListDevices refresh),
   * so a driver that finds devices on the network asks it again now.
   */
  list(options?: { askNetwork?: boolean }): Promise<DeviceInfo[]>;
  /**
   * A glance (no process started) that shows there is nothing to list now,
   * such as no camera plugged in: a device list then skips the driver without
   * waiting to learn whether it is available (an ffmpeg that takes 0.2 s of
   * CPU to start). False when there may be devices.
   */
  nothingToList?(): boolean;
  /** Throws ScanbridgeError('unknown-device') for an id it does not know. */
  capabilities(deviceId: string): Promise<Capabilities>;
  /**
   * Check settings against the device before a job starts, so that a wrong
   * setting is refused by StartScan itself: ScanbridgeError('invalid-settings')
   * naming the setting and the allowed values, or 'unknown-device'.
   */
  validate(deviceId: string, settings: ScanSettings): Promise<void>;
  /**
   * Acquire pages until the source is exhausted (feeder) or one page (flatbed).
   * Throws a ScanbridgeError with a device code (paper-jam, feeder-empty,
   * cover-open, device-busy, device-gone, io-error, access-denied,
   * invalid-settings) or job-cancelled when the signal aborts. Pages passed to
   * the sink before an error are kept by the caller.
   */
  scan(deviceId: string, settings: ScanSettings, sink: ScanSink, signal: AbortSignal): Promise<void>;
  /** No session needs the device any more (they closed): a driver that holds it open (a device worker) may let it go. */
  release?(deviceId: string): Promise<void>;
  close?(): Promise<void>;
}
