/**
 * The eSCL server (EsclServer = on): shares the scanners of EsclShare with
 * the network, the first at /eSCL and the others at /eSCL-2, /eSCL-3...
 * It answers the eSCL resources and nothing else: no API, session, buffer or
 * file is reachable through it, and the pages it serves are not kept.
 *
 * Who may use it is the administrator's decision: the address it binds,
 * the networks allowed (a connection from elsewhere is closed before a byte
 * is read), and TLS with the service's own certificate. A request a browser
 * sends (it carries Origin) is refused, so a web page cannot drive it.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { DeviceManager } from '../devices/device-manager.js';
import { capabilitiesXml, imageInfoXml, readScanSettings, statusXml } from '../devices/escl/escl-model.js';
import { parseXml } from '../devices/escl/xml-parse.js';
import type { Logger } from '../util/logger.js';
import { esclCapabilitiesOf, scanSettingsOf } from './escl-mapping.js';
import { listenerTls } from '../security/listener-tls.js';
import { allowList } from './network-allow.js';
import { SharedScanner } from './shared-scanner.js';
import { scannerUuid } from './scanner-uuids.js';
import { txtRecord, type AdvertisedScanner } from './advertise.js';
import { hostname } from 'node:os';

export interface EsclServerOptions {
  devices: DeviceManager;
  share: readonly string[];
  port: number;
  bindAddress: string;
  allowedNetworks: readonly string[];
  tls?: { key: string; cert: string } | undefined;
  log?: Logger | undefined;
  /** Where each shared scanner's uuid is kept (escl-uuids.json in the service folder); none: derived from the host and device names. */
  uuidFile?: string | undefined;
  /** How long NextDocument waits for the scanner before answering 503 + Retry-After (default 30 s). */
  nextDocumentWaitMs?: number;
}

export interface EsclServer {
  readonly port: number;
  readonly scanners: readonly SharedScanner[];
  /** Base URL (`http://host:port`) as a client on the same machine reaches it. */
  readonly url: string;
  /** TXT values of each shared scanner's DNS-SD advertisement, as the mDNS advertiser writes them. */
  txtRecords(): Promise<{ deviceId: string; path: string; secure: boolean; txt: Record<string, string> }[]>;
  /** The shared scanners as the mDNS advertiser takes them. */
  advertised(): Promise<AdvertisedScanner[]>;
  close(): Promise<void>;
}

/** A ScanSettings document is a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;
const XML = 'text/xml; charset=utf-8';

export function sharePath(index: number): string {
  return index === 0 ? '/eSCL' : `/eSCL-${index + 1}`;
}

function answer(res: http.ServerResponse, status: number, body = '', headers: http.OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const bytes = Buffer.from(body);
  res.writeHead(status, { 'content-length': bytes.length, ...(bytes.length > 0 && !headers['content-type'] ? { 'content-type': 'text/plain; charset=utf-8' } : {}), ...headers });
  res.end(bytes);
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.resume();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** The `representation` clients show beside the scanner's name: a flatbed with its lid, drawn once when first asked. */
async function scannerIcon(): Promise<Buffer> {
  const { sharp } = await import('../imaging/sharp.js');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect x="12" y="58" width="104" height="44" rx="8" fill="#4a5568"/><rect x="18" y="40" width="92" height="20" rx="4" fill="#a0aec0"/><rect x="24" y="70" width="60" height="6" fill="#68d391"/></svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

export async function startEsclServer(opts: EsclServerOptions): Promise<EsclServer> {
  const uuidFile = opts.uuidFile;
  const scanners = await Promise.all(opts.share.map(async (id, i) => new SharedScanner(id, sharePath(i), opts.devices, uuidFile ? await scannerUuid(uuidFile, id) : undefined)));
  const allowed = allowList(opts.allowedNetworks);
  const waitMs = opts.nextDocumentWaitMs ?? 30_000;
  const secure = opts.tls !== undefined;
  let port = 0;
  let icon: Promise<Buffer> | undefined;

  const adminUrl = (host?: string) => `${secure ? 'https' : 'http'}://${host ?? `127.0.0.1:${port}`}/`;

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (req.headers.origin !== undefined) return answer(res, 403, 'the eSCL server does not answer web pages\n');
    const url = new URL(req.url ?? '/', 'http://escl.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/' && method === 'GET') {
      const lines = scanners.map((s) => `${s.base}  ${s.deviceId}`);
      return answer(res, 200, `scanbridge eSCL server: scanning only\n${lines.join('\n')}\n`);
    }
    if (path === '/icon.png' && method === 'GET') {
      icon ??= scannerIcon();
      const bytes = await icon;
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length });
      res.end(bytes);
      return;
    }
    const scanner = scanners.find((s) => path === s.base || path.startsWith(`${s.base}/`));
    if (!scanner) return answer(res, 404, 'no such eSCL resource\n');
    const rest = path.slice(scanner.base.length);

    if (rest === '/ScannerCapabilities' && method === 'GET') {
      const [info, caps] = await Promise.all([scanner.info(), scanner.capabilities()]);
      const escl = esclCapabilitiesOf(caps, { device: info, uuid: scanner.uuid, adminUri: adminUrl(req.headers.host) });
      return answer(res, 200, capabilitiesXml(escl), { 'content-type': XML });
    }
    if (rest === '/ScannerStatus' && method === 'GET') return answer(res, 200, statusXml(await scanner.status()), { 'content-type': XML });
    if (rest === '/ScanJobs' && method === 'POST') {
      const body = await readBody(req);
      if (body === null) return answer(res, 413, `a ScanSettings document is at most ${MAX_BODY_BYTES} bytes\n`);
      let request;
      try {
        request = readScanSettings(parseXml(body, { maxBytes: MAX_BODY_BYTES }));
      } catch (err) {
        return answer(res, 400, `ScanSettings refused: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      const mapped = scanSettingsOf(request, await scanner.capabilities());
      if ('problem' in mapped) return answer(res, 409, `${mapped.problem}\n`);
      const job = await scanner.start(mapped.settings, mapped.format);
      const host = req.headers.host;
      const location = host ? `${secure ? 'https' : 'http'}://${host}${job.uri}` : job.uri;
      opts.log?.info({ device: scanner.deviceId, job: job.uuid, client: req.socket.remoteAddress, settings: mapped.settings, format: mapped.format }, 'eSCL job started');
      return answer(res, 201, '', { location });
    }
    const jobPath = /^\/ScanJobs\/([0-9a-f-]{36})(\/NextDocument|\/ScanImageInfo)?\/?$/.exec(rest);
    const job = jobPath ? scanner.job(jobPath[1]!) : undefined;
    if (!jobPath || !job) return answer(res, 404, 'no such eSCL job\n');
    const action = jobPath[2];
    if (action === undefined && method === 'DELETE') {
      await job.cancel();
      return answer(res, 200);
    }
    if (action === '/NextDocument' && method === 'GET') {
      // The client going away while it waits is not a reason to cancel: it may ask again.
      const doc = await job.next(waitMs);
      if (doc === 'wait') return answer(res, 503, 'the scanner is still scanning this page\n', { 'retry-after': '1' });
      if (doc === null) {
        if (job.end && job.end.state !== 'Completed') opts.log?.info({ device: scanner.deviceId, job: job.uuid, code: job.end.error.code }, 'eSCL job ended');
        return answer(res, 404, job.end && job.end.state !== 'Completed' ? `${job.end.error.code}: ${job.end.error.message}\n` : 'no more documents\n');
      }
      res.writeHead(200, { 'content-type': doc.mime, 'content-length': doc.size });
      // The pieces in one write (writev), not joined into a page-sized copy first.
      res.cork();
      for (const part of doc.parts) res.write(part);
      res.end();
      return;
    }
    if (action === '/ScanImageInfo' && method === 'GET') {
      const last = job.lastTaken;
      if (!last) return answer(res, 404, 'no document taken yet\n');
      return answer(res, 200, imageInfoXml({ jobUri: job.uri, jobUuid: job.uuid, actualWidth: last.width, actualHeight: last.height, actualBytesPerLine: last.bytesPerLine }), { 'content-type': XML });
    }
    return answer(res, 405, `${method} is not allowed on ${path}\n`);
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ScanbridgeError && err.code === 'device-busy') return answer(res, 503, `${err.message}\n`, { 'retry-after': '2' });
      if (err instanceof ScanbridgeError && (err.code === 'invalid-settings' || err.code === 'invalid-params')) return answer(res, 409, `${err.message}\n`);
      if (err instanceof ScanbridgeError && err.code === 'unknown-device') return answer(res, 503, `${err.message}\n`, { 'retry-after': '30' });
      opts.log?.warn({ err, url: req.url }, 'eSCL request failed');
      answer(res, 500, 'internal error\n');
    });
  };
  const server = opts.tls ? https.createServer(listenerTls(opts.tls), listener) : http.createServer(listener);
  server.headersTimeout = 10_000;
  // NextDocument may wait for the scanner; a trickled request is still cut off.
  server.requestTimeout = waitMs + 30_000;
  server.maxConnections = 64;
  // Longer than clients keep idle connections (undici 4 s, Node's agent 5 s), so the server is not the side that closes one as a request goes out.
  server.keepAliveTimeout = 30_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    if (!allowed(socket.remoteAddress)) {
      opts.log?.info({ client: socket.remoteAddress }, 'eSCL connection from a network not in EsclAllowedNetworks refused');
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.bindAddress, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const local = opts.bindAddress === '0.0.0.0' || opts.bindAddress === '::' ? '127.0.0.1' : opts.bindAddress;
  const hostPart = local.includes(':') ? `[${local}]` : local;
  return {
    port,
    scanners,
    url: `${secure ? 'https' : 'http'}://${hostPart}:${port}`,
    async txtRecords() {
      const host = `${hostPart}:${port}`;
      return Promise.all(scanners.map(async (s) => ({ deviceId: s.deviceId, path: s.base, secure, txt: txtRecord(await s.advertised(port, secure, adminUrl(host)), hostPart) })));
    },
    advertised() {
      // Clients reach the machine by its .local name; the admin page is named so, not by a loopback address.
      return Promise.all(scanners.map((s) => s.advertised(port, secure, adminUrl(`${hostname().split('.')[0]}.local:${port}`))));
    },
    async close() {
      await Promise.all(scanners.map((s) => s.close()));
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
