/**
 * The SANE driver: scanners libsane finds, each opened in its own worker
 * process (started on first use, stopped when released or idle), discovery
 * in a short-lived worker of its own, so that no libsane call ever runs in
 * the service's process. A device that disappears from discovery ends its
 * scan with device-gone; a worker that crashes fails its scan with
 * driver-crashed and the next use starts a fresh one.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo, ScanSettings } from '@scanbridge/protocol';
import type { Driver, DriverAvailability, ScanSink } from '../driver.js';
import { fromWorkerError } from '../../supervisor/worker-errors.js';
import { WorkerPool } from '../../supervisor/worker-pool.js';
import { WorkerProcess } from '../../supervisor/worker-process.js';
import type { ForkedWorker } from '../../supervisor/worker-fork.js';
import { SANE_WORKER_ENTRY as ENTRY, discoveryArgs } from './discovery-fork.js';
import { PageHandover } from './page-handover.js';
import { capabilitiesOf } from './sane-capabilities.js';
import type { SaneDevice, SaneOption } from './sane-model.js';
import { SANE_WORKER_METHODS, type SaneWorkerMethods, type ScanEvent } from './sane-worker-methods.js';
import { planScan } from './scan-plan.js';

export interface SaneDriverOptions {
  /** The libsane to load: a file name or an absolute path; '' for the platform's own. */
  library?: string;
  /** A device worker nobody has used for this long is stopped. */
  idleTimeoutMs?: number;
  /** While a device is open, look this often whether it is still there; 0 looks only when asked. */
  discoveryIntervalMs?: number;
  /** Environment of the workers (SANE_CONFIG_DIR...); the service's own by default. */
  env?: NodeJS.ProcessEnv;
  /** A sane_read silent this long fails the scan with io-error and replaces the worker. */
  readStallMs?: number;
  /** A device worker silent this long (not even answering pings) is deadlocked in its driver and is killed. */
  unresponsiveMs?: number;
  /** A discovery worker forked already (discovery-fork.ts), taken over by the first look. */
  discovery?: ForkedWorker;
}

const PREFIX = 'sane:';
/** sane_get_devices probes every configured backend; one that hangs must not hang discovery forever. */
const DISCOVERY_LIMIT_MS = 60_000;
/** An unknown id looks for newly plugged devices, but not more often than this (ids can come from any page). */
const RECHECK_MS = 5_000;
/** Scanners deliver lines every few seconds at most; some calibrate in the first read of a page, which can take a minute. */
const READ_STALL_MS = 180_000;

interface DeviceState {
  /** The device's options as last read (after open, a validation or a scan). */
  options: SaneOption[] | null;
  /** The running scan, which a disappearing device ends. */
  scan: AbortController | null;
  gone: ScanbridgeError | null;
}

interface Discovery {
  /** Resolves once libsane is loaded (the driver is available), rejects with why not. */
  ready: Promise<void>;
  devices: Promise<DeviceInfo[]>;
}

export class SaneDriver implements Driver {
  readonly name = 'sane';
  private readonly library: string;
  private readonly env: NodeJS.ProcessEnv | undefined;
  private readonly pool: WorkerPool<SaneWorkerMethods>;
  private readonly states = new Map<string, DeviceState>();
  /** Devices of the last discovery, by scanbridge id, and when it ended. */
  private known: Map<string, SaneDevice> | null = null;
  private knownAt = 0;
  private discovery: Discovery | null = null;
  private discoveryWorker: WorkerProcess<SaneWorkerMethods> | null = null;
  /** Known once a worker has loaded libsane, or found it missing: either only changes with an install and a restart. */
  private verdict: DriverAvailability | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The discovery worker forked before the driver existed, until the first look takes it. */
  private early: ForkedWorker | undefined;

  constructor(private readonly options: SaneDriverOptions = {}) {
    this.library = options.library ?? '';
    this.env = options.env;
    const args = discoveryArgs(this.library);
    if (options.discovery && options.discovery.entry === ENTRY && options.discovery.args.join('\0') === args.join('\0') && !options.env) this.early = options.discovery;
    else options.discovery?.abandon();
    this.pool = new WorkerPool({ idleTimeoutMs: options.idleTimeoutMs ?? 60_000, start: (id) => this.openWorker(id) });
  }

  async availability(): Promise<DriverAvailability> {
    if (this.verdict) return this.verdict;
    this.watch();
    try {
      await this.discover().ready;
      return (this.verdict = { available: true });
    } catch (err) {
      const error = err as ScanbridgeError;
      if (error.code === 'driver-unavailable') return (this.verdict = { available: false, reason: error.message });
      // A worker that crashed while starting may start next time: no verdict yet.
      return { available: false, reason: `the SANE worker could not start: ${error.message}` };
    }
  }

  list(): Promise<DeviceInfo[]> {
    this.watch();
    return this.discover().devices;
  }

  async capabilities(deviceId: string): Promise<Capabilities> {
    const device = await this.find(deviceId);
    return capabilitiesOf(deviceId, await this.deviceOptions(deviceId), device.type);
  }

  async validate(deviceId: string, settings: ScanSettings): Promise<void> {
    const device = await this.find(deviceId);
    const state = this.state(deviceId);
    if (state.scan) throw new ScanbridgeError('device-busy', `device "${deviceId}" is busy with a scan; wait for it to end or cancel it`, { device: deviceId });
    const plan = planScan(deviceId, await this.deviceOptions(deviceId), settings, device.type);
    // The device itself has the last word: options depend on each other in ways only it knows.
    const { options } = await this.pool.use(deviceId, (worker) => worker.call('apply', { assignments: plan.assignments }));
    state.options = options;
  }

  async scan(deviceId: string, settings: ScanSettings, sink: ScanSink, signal: AbortSignal): Promise<void> {
    const device = await this.find(deviceId);
    const state = this.state(deviceId);
    const plan = planScan(deviceId, await this.deviceOptions(deviceId), settings, device.type);
    const controller = new AbortController();
    const forward = (): void => controller.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    if (signal.aborted) forward();
    state.scan = controller;
    state.gone = null;
    let failed: ScanbridgeError | null = null;
    const onEvent = async (event: ScanEvent): Promise<void> => {
      if (event.type === 'failed') {
        failed = fromWorkerError(event.error, `the SANE worker of ${deviceId}`);
        return;
      }
      if (event.type === 'progress') {
        sink.progress({ page: event.page, fraction: event.fraction, bytes: event.bytes, lines: event.lines });
        return;
      }
      const { file, format, width, height, xdpi, ydpi, mode, bitDepth, preview } = event;
      // Structured clone delivers a Uint8Array; the buffer wants a Buffer over the same memory.
      const buffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
      const bytes = file && handover ? await handover.take(file) : event.bytes && buffer(event.bytes);
      if (!bytes) throw new ScanbridgeError('internal-error', `the SANE worker of ${deviceId} sent page ${event.page} without its bytes`);
      await sink.page({ kind: 'encoded', format, bytes, width, height, xdpi, ydpi, mode, bitDepth, preview: preview && { ...preview, bytes: buffer(preview.bytes) } });
    };
    // Pages cross through files (page-handover.ts); without a folder for them, through the IPC channel.
    const handover = await PageHandover.open().catch(() => null);
    try {
      const result = await this.pool.use(deviceId, (worker) =>
        worker.call(
          'scan',
          {
            device: deviceId,
            assignments: plan.assignments,
            feeder: plan.feeder,
            dpi: settings.dpi,
            readStallMs: this.options.readStallMs ?? READ_STALL_MS,
            network: sink.network === true,
            jpeg: sink.network === true && sink.networkFormat === 'jpeg',
            ...(settings.storeJpeg !== undefined && sink.network !== true ? { storeJpeg: settings.storeJpeg } : {}),
            ...(handover ? { handover: handover.dir } : {}),
          },
          { signal: controller.signal, onEvent },
        ),
      );
      state.options = result.options;
    } catch (err) {
      const error = err as ScanbridgeError;
      // Its read still blocks in the driver: only a new worker can use the device again.
      if (error.details?.['readStallMs'] !== undefined) await this.pool.kill(deviceId, error);
      // A worker that deadlocked while ending a failed scan: the scan's own error is the one to tell.
      throw state.gone ?? (failed && error.details?.['unresponsiveMs'] !== undefined ? failed : err);
    } finally {
      signal.removeEventListener('abort', forward);
      state.scan = null;
      await handover?.close();
    }
  }

  /** Nobody needs the device any more (its session closed): close it and end its worker. */
  async release(deviceId: string): Promise<void> {
    await this.pool.release(deviceId);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.early?.abandon();
    this.discoveryWorker?.kill();
    await this.pool.close();
  }

  private state(deviceId: string): DeviceState {
    let state = this.states.get(deviceId);
    if (!state) this.states.set(deviceId, (state = { options: null, scan: null, gone: null }));
    return state;
  }

  /**
   * Look again periodically while a device is open, so that one unplugged
   * mid-scan ends its job with device-gone. Idle, nothing is probed: SANE
   * discovery takes seconds and broadcasts on the network.
   */
  private watch(): void {
    const every = this.options.discoveryIntervalMs ?? 0;
    if (this.timer || every <= 0) return;
    this.timer = setInterval(() => {
      if (!this.discovery && this.pool.keys().length > 0) this.list().catch(() => undefined);
    }, every);
    this.timer.unref();
  }

  private discover(): Discovery {
    if (this.discovery) return this.discovery;
    if (this.closed) {
      const stopping = Promise.reject(new ScanbridgeError('service-stopping', 'the service is stopping'));
      return { ready: stopping, devices: stopping };
    }
    const forked = this.early;
    this.early = undefined;
    const started = WorkerProcess.start({ entry: ENTRY, methods: SANE_WORKER_METHODS, name: 'the SANE discovery worker', args: discoveryArgs(this.library), background: true, ...this.workerOptions(), ...(forked ? { forked } : {}) });
    const devices = started.then(async ({ worker }) => {
      // A worker that came up after the driver closed is not needed any more.
      if (this.closed) worker.kill(new ScanbridgeError('service-stopping', 'the service is stopping'));
      this.discoveryWorker = worker;
      const limit = new AbortController();
      const timer = setTimeout(
        () => limit.abort(new ScanbridgeError('io-error', `SANE device discovery did not finish within ${DISCOVERY_LIMIT_MS / 1000} s; a backend in dll.conf hangs`)),
        DISCOVERY_LIMIT_MS,
      );
      try {
        return this.update((await worker.call('list', {}, { signal: limit.signal })).devices);
      } finally {
        clearTimeout(timer);
        this.discoveryWorker = null;
        void worker.stop();
      }
    });
    const discovery: Discovery = { ready: started.then(() => undefined), devices };
    this.discovery = discovery;
    // Whoever asked handles the outcome; these only keep unobserved rejections quiet.
    discovery.ready.catch(() => undefined);
    devices.catch(() => undefined).finally(() => {
      if (this.discovery === discovery) this.discovery = null;
    });
    return discovery;
  }

  /** Record a discovery's result; devices in use that are no longer there are gone. */
  private update(devices: SaneDevice[]): DeviceInfo[] {
    this.known = new Map(devices.map((d) => [`${PREFIX}${d.name}`, d]));
    this.knownAt = Date.now();
    for (const [id, state] of this.states) {
      if (this.known.has(id)) continue;
      state.options = null;
      if (!state.scan && !this.pool.has(id)) continue;
      const error = new ScanbridgeError('device-gone', `${id} disappeared${state.scan ? ' during the scan' : ''}: it is no longer in the SANE device list; reconnect it and list devices again`, { device: id });
      state.gone = error;
      state.scan?.abort(error);
      void this.pool.kill(id, error);
    }
    return devices.map((d) => ({ id: `${PREFIX}${d.name}`, driver: this.name, name: `${d.vendor} ${d.model}`.trim() || d.name, vendor: d.vendor, model: d.model, type: d.type }));
  }

  private async find(deviceId: string): Promise<SaneDevice> {
    let device = this.known?.get(deviceId);
    if (!device && deviceId.startsWith(PREFIX) && (!this.known || Date.now() - this.knownAt > RECHECK_MS)) {
      // A device plugged in since the last look.
      await this.list();
      device = this.known?.get(deviceId);
    }
    if (!device) {
      const known = [...(this.known?.keys() ?? [])];
      throw new ScanbridgeError('unknown-device', `unknown device "${deviceId}"; SANE devices: ${known.length ? known.join(', ') : 'none found'}`, { device: deviceId, known });
    }
    return device;
  }

  private async deviceOptions(deviceId: string): Promise<SaneOption[]> {
    const state = this.state(deviceId);
    if (state.options && this.pool.has(deviceId)) return state.options;
    const { options } = await this.pool.use(deviceId, (worker) => worker.call('options', {}));
    state.options = options;
    return options;
  }

  private workerOptions(): { env?: NodeJS.ProcessEnv; unresponsiveMs?: number } {
    return { ...(this.env ? { env: this.env } : {}), ...(this.options.unresponsiveMs ? { unresponsiveMs: this.options.unresponsiveMs } : {}) };
  }

  private async openWorker(deviceId: string): Promise<WorkerProcess<SaneWorkerMethods>> {
    const name = deviceId.slice(PREFIX.length);
    const { worker } = await WorkerProcess.start({
      entry: ENTRY,
      methods: SANE_WORKER_METHODS,
      name: `the SANE worker of ${deviceId}`,
      // The device in the command line tells which worker is which in ps.
      args: [this.library, deviceId],
      ...this.workerOptions(),
    });
    try {
      this.state(deviceId).options = (await worker.call('open', { name, device: deviceId })).options;
      return worker;
    } catch (err) {
      await worker.stop();
      throw err;
    }
  }
}
