/**
 * Network scanners over eSCL (AirScan, Mopria): ids `escl:<uuid>` (or
 * `escl:<url>` for a listed scanner that announces no uuid). Where scanners
 * come from is the directory's business (mDNS, the ini, the user); this
 * driver only talks to them, every request through `esclRequest`.
 *
 * A job: POST ScanJobs, then NextDocument until 404, each page taken into the
 * buffer as the device sent it (JPEG or PNG, never re-encoded), its
 * ScanImageInfo read; DELETE on cancel and after a failure (the device is
 * freed). Why a job ended early is read from ScannerStatus (feeder jam,
 * empty, hatch open) as sane-airscan does; pages received before stay.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo, ScanSettings } from '@scanbridge/protocol';
import type { Driver, DriverAvailability, EncodedPage, ScanSink } from '../driver.js';
import { readJpegHeader } from '../../formats/jpeg-markers.js';
import { readPngChunks } from '../../formats/png-chunks.js';
import type { EsclDirectory, EsclEndpoint } from './endpoints.js';
import type { EsclCapabilities, EsclStatus } from './escl-model.js';
import { esclRequest, type EsclRequestInit, type EsclResponse, type EsclTransport } from './escl-request.js';
import type { XmlElement } from './xml-parse.js';
import { lazyImport } from '../../util/lazy-import.js';

/**
 * The eSCL XML (fast-xml-parser) and the model read from it: imported by the
 * first call that talks to a scanner. Listing network scanners needs neither,
 * and the service lists devices as it starts.
 */
const esclXml = lazyImport(async () => {
  const [model, parse, capabilities] = await Promise.all([import('./escl-model.js'), import('./xml-parse.js'), import('./escl-capabilities.js')]);
  return { ...model, ...parse, ...capabilities };
});

export interface EsclDriverOptions {
  directory: EsclDirectory;
  transport?: EsclTransport;
  /** Largest page accepted (default 256 MiB: a 600 dpi A3 colour PNG). */
  maxPageBytes?: number;
  /** Capabilities are asked again after this long (default 60 s). */
  capabilitiesTtlMs?: number;
}

const MODE_BY_STATE: Partial<Record<string, { code: 'paper-jam' | 'feeder-empty' | 'cover-open'; text: string }>> = {
  ScannerAdfJam: { code: 'paper-jam', text: 'paper jam in the document feeder' },
  ScannerAdfMispick: { code: 'paper-jam', text: 'the document feeder failed to pick a sheet' },
  ScannerAdfMultipickDetected: { code: 'paper-jam', text: 'the document feeder took several sheets at once' },
  ScannerAdfEmpty: { code: 'feeder-empty', text: 'the document feeder is empty' },
  ScannerAdfHatchOpen: { code: 'cover-open', text: 'the document feeder hatch is open' },
  ScannerAdfDoorOpen: { code: 'cover-open', text: 'the document feeder door is open' },
};

export function deviceIdOf(endpoint: EsclEndpoint): string {
  return `escl:${endpoint.uuid ?? endpoint.url}`;
}

export class EsclDriver implements Driver {
  readonly name = 'escl';
  private readonly caps = new Map<string, { at: number; caps: EsclCapabilities }>();
  private readonly transport: EsclTransport;
  private readonly maxPageBytes: number;
  private readonly ttl: number;

  constructor(private readonly opts: EsclDriverOptions) {
    this.transport = opts.transport ?? {};
    this.maxPageBytes = opts.maxPageBytes ?? 256 * 1024 * 1024;
    this.ttl = opts.capabilitiesTtlMs ?? 60_000;
  }

  async availability(): Promise<DriverAvailability> {
    return { available: true };
  }

  async list(options: { askNetwork?: boolean } = {}): Promise<DeviceInfo[]> {
    if (options.askNetwork) await this.opts.directory.refresh?.();
    return this.opts.directory.endpoints().map((e) => ({
      id: deviceIdOf(e),
      driver: 'escl',
      name: e.name,
      vendor: e.txt['usb_MFG'] ?? '',
      model: e.txt['ty'] ?? e.txt['usb_MDL'] ?? '',
      type: 'network scanner (eSCL)',
    }));
  }

  private endpoint(deviceId: string): EsclEndpoint {
    const endpoints = this.opts.directory.endpoints();
    const found = endpoints.find((e) => deviceIdOf(e) === deviceId);
    if (!found) throw new ScanbridgeError('unknown-device', `unknown network scanner "${deviceId}"; known now: ${endpoints.map(deviceIdOf).join(', ') || 'none'} (use an id from ListDevices)`);
    return found;
  }

  private request(endpoint: EsclEndpoint, path: string, init: EsclRequestInit = {}): Promise<EsclResponse> {
    return esclRequest(endpoint, path, init, this.transport);
  }

  /** Parses an XML answer, turning what is wrong with it into device-protocol-error. */
  private async xml<T>(endpoint: EsclEndpoint, what: string, res: EsclResponse, read: (root: XmlElement) => T): Promise<T> {
    if (res.status !== 200) throw new ScanbridgeError('io-error', `the scanner "${endpoint.name}" answered HTTP ${res.status} to ${what}`);
    const { parseXml, XmlRefused, EsclFormatError } = await esclXml();
    try {
      return read(parseXml(res.body));
    } catch (err) {
      if (err instanceof XmlRefused || err instanceof EsclFormatError) throw new ScanbridgeError('device-protocol-error', `the scanner "${endpoint.name}" answered ${what} with XML that is refused: ${err.message}`);
      throw err;
    }
  }

  private async esclCaps(deviceId: string): Promise<{ endpoint: EsclEndpoint; caps: EsclCapabilities }> {
    const endpoint = this.endpoint(deviceId);
    const cached = this.caps.get(deviceId);
    if (cached && Date.now() - cached.at < this.ttl) return { endpoint, caps: cached.caps };
    const caps = await this.xml(endpoint, 'ScannerCapabilities', await this.request(endpoint, 'ScannerCapabilities'), (await esclXml()).readCapabilities);
    this.caps.set(deviceId, { at: Date.now(), caps });
    return { endpoint, caps };
  }

  async capabilities(deviceId: string): Promise<Capabilities> {
    const { caps } = await this.esclCaps(deviceId);
    return (await esclXml()).normalizedCapabilities(deviceId, caps);
  }

  async validate(deviceId: string, settings: ScanSettings): Promise<void> {
    const { caps } = await this.esclCaps(deviceId);
    (await esclXml()).esclSettingsOf(deviceId, caps, settings);
  }

  private async status(endpoint: EsclEndpoint): Promise<EsclStatus | null> {
    try {
      return await this.xml(endpoint, 'ScannerStatus', await this.request(endpoint, 'ScannerStatus', { noRetry: true }), (await esclXml()).readStatus);
    } catch {
      return null;
    }
  }

  /** Why the device stopped, from its status; `fallback` when it does not say. */
  private async why(endpoint: EsclEndpoint, deviceId: string, settings: ScanSettings, page: number, fallback: () => ScanbridgeError): Promise<ScanbridgeError> {
    const status = await this.status(endpoint);
    const adf = settings.source === 'feeder' && status?.adfState ? MODE_BY_STATE[status.adfState] : undefined;
    if (adf) return new ScanbridgeError(adf.code, `${adf.text} of ${deviceId} at page ${page} (${status!.adfState})`, { page });
    return fallback();
  }

  async scan(deviceId: string, settings: ScanSettings, sink: ScanSink, signal: AbortSignal): Promise<void> {
    const { endpoint, caps } = await this.esclCaps(deviceId);
    const { esclSettingsOf, scanSettingsXml, readImageInfo } = await esclXml();
    const request = esclSettingsOf(deviceId, caps, settings);
    const posted = await this.request(endpoint, 'ScanJobs', { method: 'POST', body: scanSettingsXml(request), signal });
    if (posted.status === 409 || posted.status === 503) {
      const status = await this.status(endpoint);
      if (posted.status === 503 || status?.state === 'Processing') throw new ScanbridgeError('device-busy', `the scanner "${endpoint.name}" is busy (HTTP ${posted.status} to ScanJobs); it may be scanning for someone else`);
      throw await this.why(endpoint, deviceId, settings, 1, () => new ScanbridgeError('invalid-settings', `the scanner "${endpoint.name}" refused the scan settings (HTTP 409): ${posted.body.toString('utf8', 0, 300).trim()}`));
    }
    const location = posted.headers.location;
    if (posted.status !== 201 || !location) throw new ScanbridgeError('device-protocol-error', `the scanner "${endpoint.name}" answered HTTP ${posted.status} to ScanJobs${posted.status === 201 ? ' without a Location' : ''}`);
    // Only the path is taken from Location: the device may name itself by another host (sane-airscan does the same).
    const job = new URL(location, endpoint.url).pathname.replace(/\/$/, '');
    let pages = 0;
    let finished = false;
    try {
      for (;;) {
        const page = pages + 1;
        sink.progress({ page, fraction: 0, bytes: 0, lines: 0 });
        const res = await this.request(endpoint, `${job}/NextDocument`, { signal, maxBytes: this.maxPageBytes, noRetry: true, answerTimeoutMs: 120_000 });
        if (res.status === 503) {
          // Still scanning the page: ask again as the device says (bounded by the answer timeouts of each try).
          await this.request(endpoint, 'ScannerStatus', { signal, noRetry: true });
          await new Promise((resolve) => setTimeout(resolve, Math.min(Number(res.headers['retry-after']) * 1000 || 1000, 10_000)));
          continue;
        }
        if (res.status === 404 || res.status === 410) {
          if (pages > 0) {
            // The end of a batch, unless the feeder says it jammed.
            const status = await this.status(endpoint);
            const adf = settings.source === 'feeder' && status?.adfState ? MODE_BY_STATE[status.adfState] : undefined;
            if (adf && adf.code !== 'feeder-empty') throw new ScanbridgeError(adf.code, `${adf.text} of ${deviceId} at page ${page} (${status!.adfState})`, { page });
            finished = true;
            return;
          }
          throw await this.why(endpoint, deviceId, settings, page, () =>
            settings.source === 'feeder'
              ? new ScanbridgeError('feeder-empty', `the document feeder of ${deviceId} is empty (the scanner had no page to send)`, { page })
              : new ScanbridgeError('io-error', `the scanner "${endpoint.name}" sent no page (HTTP ${res.status} to NextDocument)`, { page }),
          );
        }
        if (res.status === 409) throw await this.why(endpoint, deviceId, settings, page, () => new ScanbridgeError('device-busy', `the scanner "${endpoint.name}" answered HTTP 409 to NextDocument`, { page }));
        if (res.status !== 200) throw new ScanbridgeError('io-error', `the scanner "${endpoint.name}" answered HTTP ${res.status} to NextDocument of page ${page}`, { page });
        const encoded = this.pageOf(endpoint, res, settings, page);
        // ScanImageInfo is informational; a device that does not answer it still delivered the page.
        await this.request(endpoint, `${job}/ScanImageInfo`, { signal, noRetry: true })
          .then((info) => (info.status === 200 ? this.xml(endpoint, 'ScanImageInfo', info, readImageInfo) : null))
          .catch((err: unknown) => {
            if (signal.aborted) throw err;
          });
        sink.progress({ page, fraction: 1, bytes: res.body.length, lines: encoded.height });
        await sink.page(encoded);
        pages++;
        if (settings.source === 'flatbed') {
          finished = true;
          return;
        }
      }
    } finally {
      if (!finished || settings.source === 'flatbed') {
        // Frees the device (cancelled, failed, or a flatbed job whose one page is in); never waits long.
        await this.request(endpoint, job, { method: 'DELETE', noRetry: true, answerTimeoutMs: 5_000 }).catch(() => undefined);
      }
    }
  }

  private pageOf(endpoint: EsclEndpoint, res: EsclResponse, settings: ScanSettings, page: number): EncodedPage {
    const type = String(res.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const bytes = res.body;
    const base = { xdpi: settings.dpi, ydpi: settings.dpi, mode: settings.mode };
    try {
      if (bytes[0] === 0xff && bytes[1] === 0xd8) {
        const h = readJpegHeader(bytes);
        if (bytes[bytes.length - 2] !== 0xff || bytes[bytes.length - 1] !== 0xd9) throw new Error('the JPEG has no end-of-image marker (cut off)');
        return { kind: 'encoded', format: 'jpeg', bytes, width: h.width, height: h.height, bitDepth: 8, ...base, mode: h.components === 1 && settings.mode === 'color' ? 'gray' : settings.mode };
      }
      if (bytes[0] === 0x89 && bytes[1] === 0x50) {
        const h = readPngChunks(bytes).header;
        return { kind: 'encoded', format: 'png', bytes, width: h.width, height: h.height, bitDepth: h.bitDepth, ...base, mode: h.bitDepth === 1 ? 'bw' : settings.mode };
      }
      throw new Error(`it is ${type || 'of no declared type'}, not JPEG or PNG`);
    } catch (err) {
      throw new ScanbridgeError('device-protocol-error', `page ${page} from the scanner "${endpoint.name}" is not a usable image: ${err instanceof Error ? err.message : String(err)}`, { page });
    }
  }
}
