/**
 * The built-in demo scanner: realistic document pages rendered on the fly,
 * from a flatbed or a feeder with duplex, with fault injection (paper jam,
 * open cover) and a configurable speed. It lets anyone try scanbridge
 * without a scanner, and the test suites drive it instead of hardware.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo, ScanSettings } from '@scanbridge/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Driver, DriverAvailability, ScanSink } from '../driver.js';
import { DEMO_DEVICES, type Pattern, type ScanPlan, capabilitiesOf, findDevice, planScan } from './capabilities.js';
import type { Side } from './page-layout.js';
import { lazyImport } from '../../util/lazy-import.js';

// The renderer (barcodes, glyphs, page templates) is loaded by the first scan, not at start.
const pageRender = lazyImport(() => import('./page-render.js'));
const pageTemplate = lazyImport(() => import('./page-template.js'));

export interface DemoDriverOptions {
  /** Sheets in the feeder when a scan does not set the `sheets` option (1..1000, default 10). */
  feederSheets?: number;
}

/** How often progress is reported while a page "moves through" a slow scanner. */
const PROGRESS_STEP_MS = 50;

function content(pattern: Pattern, face: 'front' | 'back'): Side {
  if (pattern === 'blank' || (pattern === 'blank-backs' && face === 'back')) return 'blank';
  return face;
}

function cancelled(page: number): ScanbridgeError {
  return new ScanbridgeError('job-cancelled', `Scan cancelled at page ${page}`, { page });
}

function untilAborted<T>(work: Promise<T>, signal: AbortSignal, page: number): Promise<T> {
  if (signal.aborted) return Promise.reject(cancelled(page));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled(page));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) reject(cancelled(page));
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export class DemoDriver implements Driver {
  readonly name = 'demo';
  private readonly feederSheets: number;

  constructor(options: DemoDriverOptions = {}) {
    const sheets = options.feederSheets ?? 10;
    if (!Number.isInteger(sheets) || sheets < 1 || sheets > 1000) throw new RangeError(`feederSheets must be an integer from 1 to 1000; got ${sheets}`);
    this.feederSheets = sheets;
  }

  async availability(): Promise<DriverAvailability> {
    return { available: true };
  }

  async list(): Promise<DeviceInfo[]> {
    return DEMO_DEVICES.map((d) => ({ ...d.info }));
  }

  async capabilities(deviceId: string): Promise<Capabilities> {
    return capabilitiesOf(findDevice(deviceId), { feederSheets: this.feederSheets });
  }

  async validate(deviceId: string, settings: ScanSettings): Promise<void> {
    planScan(findDevice(deviceId), settings, { feederSheets: this.feederSheets });
  }

  async scan(deviceId: string, settings: ScanSettings, sink: ScanSink, signal: AbortSignal): Promise<void> {
    const plan = planScan(findDevice(deviceId), settings, { feederSheets: this.feederSheets });
    if (signal.aborted) throw cancelled(1);
    if (plan.coverOpen) throw new ScanbridgeError('cover-open', `The cover of ${plan.device.info.name} (${deviceId}) is open`, { device: deviceId });

    const feeder = plan.source === 'feeder';
    if (feeder && plan.sheets === 0) {
      throw new ScanbridgeError('feeder-empty', `The document feeder of ${deviceId} is empty: load paper (the sheets option is 0)`, { device: deviceId });
    }
    const sheets = feeder ? plan.sheets : 1;
    const faces: ('front' | 'back')[] = plan.duplex ? ['front', 'back'] : ['front'];
    const pages = sheets * faces.length;
    let page = 0;
    for (let sheet = 1; sheet <= sheets; sheet++) {
      for (const face of faces) {
        page++;
        if (signal.aborted) throw cancelled(page);
        if (plan.jamAt > 0 && page >= plan.jamAt) {
          const before = page - 1 === 1 ? '1 page was' : `${page - 1} pages were`;
          throw new ScanbridgeError('paper-jam', `Paper jam in the feeder of ${deviceId} at page ${page} (sheet ${sheet}); ${before} scanned before it`, {
            device: deviceId,
            page,
            sheet,
          });
        }
        await this.acquire(plan, { sheet, face, page, pages }, sink, signal);
      }
    }
  }

  async close(): Promise<void> {
    pageTemplate.loaded?.clearTemplates();
  }

  private async acquire(plan: ScanPlan, at: { sheet: number; face: 'front' | 'back'; page: number; pages: number }, sink: ScanSink, signal: AbortSignal): Promise<void> {
    const [{ rawBytes, renderPage }, { pixels }] = await Promise.all([pageRender(), pageTemplate()]);
    const height = pixels(plan.heightMm, plan.dpi);
    const total = rawBytes(pixels(plan.widthMm, plan.dpi), height, plan.mode);
    const report = (fraction: number): void => sink.progress({ page: at.page, fraction, bytes: Math.round(total * fraction), lines: Math.round(height * fraction) });
    report(0);
    // The emulated transport time: progress as lines "arrive", abortable at any moment.
    const steps = Math.ceil(plan.pageDelay / PROGRESS_STEP_MS);
    for (let step = 1; step <= steps; step++) {
      try {
        await sleep(plan.pageDelay / steps, undefined, { signal });
      } catch {
        throw cancelled(at.page);
      }
      report((step / steps) * 0.95);
    }
    const rendering = renderPage({
      widthMm: plan.widthMm,
      heightMm: plan.heightMm,
      dpi: plan.dpi,
      mode: plan.mode,
      brightness: plan.brightness,
      contrast: plan.contrast,
      content: content(plan.pattern, at.face),
      face: at.face,
      sheet: at.sheet,
      page: at.page,
      pages: at.pages,
    });
    // A page cancelled while being read is discarded, as a scanner would; the
    // first page at a new size can take seconds, so the abort does not wait for it.
    const page = await untilAborted(rendering, signal, at.page);
    report(1);
    await sink.page(page);
  }
}
