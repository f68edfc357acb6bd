/**
 * One local scanner shared over eSCL at its own path (`/eSCL`, `/eSCL-2`...):
 * its identity, its jobs, and the feeder state the last job left (what
 * ScannerStatus reports, and how eSCL clients learn why a job ended).
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo } from '@scanbridge/protocol';
import type { DeviceManager } from '../devices/device-manager.js';
import type { EsclStatus } from '../devices/escl/escl-model.js';
import { EsclJob, type JobEnd } from './escl-job.js';
import { SERVED_FORMATS, type ServedFormat } from './escl-mapping.js';
import type { AdvertisedScanner } from './advertise.js';
import type { ScanSettings } from '@scanbridge/protocol';

/** Ended jobs stay listed in ScannerStatus this long (clients look there for why a job ended). */
const KEEP_ENDED_MS = 5 * 60_000;
/** A job whose client stopped asking is cancelled after this long, and the scanner freed. */
export const ABANDONED_MS = 60_000;

/** The same device on the same machine has the same uuid across restarts (clients remember scanners by it). */
export function shareUuid(deviceId: string): string {
  const h = createHash('sha256').update(`scanbridge-escl\n${hostname()}\n${deviceId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const ADF_STATE_OF: Partial<Record<string, string>> = {
  'paper-jam': 'ScannerAdfJam',
  'feeder-empty': 'ScannerAdfEmpty',
  'cover-open': 'ScannerAdfHatchOpen',
};

export class SharedScanner {
  private readonly jobs = new Map<string, EsclJob>();
  private adfState: string | undefined;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly deviceId: string,
    /** The path it is served at, e.g. `/eSCL`. */
    readonly base: string,
    private readonly devices: DeviceManager,
    /** Stable across restarts: clients remember a scanner by it (scannerUuid keeps it in the service folder). */
    readonly uuid: string = shareUuid(deviceId),
  ) {
    this.sweeper = setInterval(() => this.sweep(), 5_000).unref();
  }

  async info(): Promise<DeviceInfo> {
    const list = await this.devices.list();
    const found = list.find((d) => d.id === this.deviceId);
    if (!found) throw new ScanbridgeError('unknown-device', `the shared device "${this.deviceId}" (EsclShare) is not connected; devices now: ${list.map((d) => d.id).join(', ') || 'none'}`);
    return found;
  }

  capabilities(): Promise<Capabilities> {
    return this.devices.capabilities(this.deviceId);
  }

  job(uuid: string): EsclJob | undefined {
    return this.jobs.get(uuid);
  }

  /** Starts a job, or throws device-busy when a page (or another eSCL client) is using the scanner. */
  async start(settings: ScanSettings, format: ServedFormat): Promise<EsclJob> {
    const release = this.devices.claim(this.deviceId, 'a network (eSCL) client');
    try {
      await this.devices.driverFor(this.deviceId).validate(this.deviceId, settings);
    } catch (err) {
      release();
      throw err;
    }
    this.adfState = settings.source === 'feeder' ? 'ScannerAdfLoaded' : this.adfState;
    const job = new EsclJob(this.base, this.devices, this.deviceId, settings, format, release, (end) => this.ended(settings, end));
    this.jobs.set(job.uuid, job);
    return job;
  }

  private ended(settings: ScanSettings, end: JobEnd): void {
    if (settings.source !== 'feeder') return;
    if (end.state === 'Completed') this.adfState = 'ScannerAdfEmpty';
    else this.adfState = ADF_STATE_OF[end.error.code] ?? this.adfState;
  }

  async status(): Promise<EsclStatus> {
    const caps = await this.capabilities().catch(() => null);
    const status: EsclStatus = {
      version: '2.63',
      state: caps === null ? 'Down' : this.devices.held(this.deviceId) ? 'Processing' : 'Idle',
      jobs: [...this.jobs.values()].reverse().map((j) => j.info()),
    };
    if (caps?.sources.includes('feeder')) status.adfState = this.adfState ?? 'ScannerAdfLoaded';
    return status;
  }

  /** What the mDNS advertiser announces for it (`_uscan._tcp`, `_uscans._tcp` with TLS). */
  async advertised(port: number, tls: boolean, adminUrl: string): Promise<AdvertisedScanner> {
    const [info, caps] = await Promise.all([this.info(), this.capabilities()]);
    return {
      name: info.name || `${info.vendor} ${info.model}`.trim(),
      port,
      tls,
      path: this.base,
      uuid: this.uuid,
      formats: [...SERVED_FORMATS],
      colorSpaces: caps.colorModes.map((m) => (m === 'color' ? 'color' : m === 'gray' ? 'grayscale' : 'binary')),
      sources: [...(caps.sources.includes('flatbed') ? ['platen'] : []), ...(caps.sources.includes('feeder') ? ['adf'] : [])],
      duplex: caps.duplex,
      adminUrl,
      iconUrl: `${adminUrl.replace(/\/$/, '')}/icon.png`,
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [uuid, job] of this.jobs) {
      if (job.running && now - job.touchedAt > ABANDONED_MS) void job.cancel(new ScanbridgeError('job-cancelled', 'the eSCL client stopped asking for pages'));
      else if (!job.running && now - job.touchedAt > KEEP_ENDED_MS) this.jobs.delete(uuid);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.jobs.values()].map((j) => j.cancel(new ScanbridgeError('service-stopping', 'the service is stopping'))));
  }
}
