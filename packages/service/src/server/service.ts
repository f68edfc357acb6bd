/**
 * `scanbridge run`: loads the configuration, takes the folder's port.lock,
 * recovers the image buffer, and opens the four listeners. Returns a handle
 * whose `stop()` ends jobs, closes listeners and flushes the buffer.
 */
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { canCheckPeers } from '../security/peer-user.js';
import { loadConfig, type LoadedConfig } from '../config/load.js';
import type { EarlyLooks } from '../devices/early-looks.js';
import type { Settings } from '../config/settings.js';
import type { ServicePaths } from '../config/paths.js';
import { SessionManager } from '../buffer/session-manager.js';
import { loadOrCreateCacheKey } from '../buffer/cipher.js';
import { DeviceManager } from '../devices/device-manager.js';
import { createDrivers } from '../devices/registry.js';
import { EsclScannerDirectory } from '../devices/escl/discovery.js';
import { CertificatePins } from '../devices/escl/certificate-pins.js';
import { pinnedTlsOptions } from '../devices/escl/pinned-tls.js';
import { JobManager } from '../jobs/job-manager.js';
import { JobRecords } from '../jobs/job-records.js';
import { loadOrCreateCertificate } from '../security/certificate.js';
import { closeLogger, createLogger, type Logger } from '../util/logger.js';
import { acquireLock, releaseLock, updateLock, type LockInfo } from '../util/port-lock.js';
import { VERSION } from '../version.js';
import type { ListenerPorts, ServiceContext } from './context.js';
import { EventHub } from './event-hub.js';
import { AFTER_READY_MS } from './after-ready.js';
import { ENGINE_RECOGNIZER } from './ocr-recognizer.js';
import { setOcrAdminDir } from '../addons/ocr/languages.js';
import { welcomeOrigins } from './cors.js';
import { Approvals } from '../security/approvals.js';
import { ConsentRequests } from '../security/consent-requests.js';
import { CALL_LIMIT, IMAGE_LIMIT, RateLimiter } from '../security/rate-limit.js';
import { loadOrCreateAdminToken } from '../security/admin-token.js';
import { listenLoopback } from './loopback-listen.js';
import { newToken } from '../security/secrets.js';
import { ImageRenderer } from './image-renderer.js';
import { imageMemory } from '../util/memory-budget.js';
import { closeSharedPools } from '../util/thread-pool.js';
import type { EsclServer } from '../escl-server/escl-server.js';

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly setting: string,
    iniFile: string,
  ) {
    super(`port ${port} is already in use by another program; change ${setting} in ${iniFile} (or pass --${setting.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()})`);
    this.name = 'PortInUseError';
  }
}

export interface StartOptions {
  home: string;
  flags?: Record<string, string | boolean | undefined>;
  env?: NodeJS.ProcessEnv;
  /** Mirror logs to stderr. */
  console?: boolean;
  /** The configuration, read already from these same home, flags and env (`scanbridge run` reads it first, to fork the SANE discovery). */
  config?: LoadedConfig;
  /** What the first device list waits for, started already (devices/early-looks.ts): the drivers take it over; ended if the start fails first. */
  early?: EarlyLooks;
}

export interface RunningService {
  readonly ctx: ServiceContext;
  readonly settings: Settings;
  readonly paths: ServicePaths;
  readonly ports: ListenerPorts;
  /** Loopback addresses a listener could not hold, and what that leaves untrusted (also logged). */
  readonly warnings: readonly string[];
  /** The eSCL server sharing local scanners (EsclServer = on), or null. */
  readonly esclServer: EsclServer | null;
  stop(): Promise<void>;
}

/**
 * The welcome listeners open first: their ports name the service's own
 * origins, which are approved before the API listeners take a call (a demo
 * page reconnecting after a restart is never asked to approve itself).
 */
const LISTENERS = [
  { name: 'welcomeHttp', setting: 'WelcomeHttpPort', key: 'welcomeHttpPort', role: 'welcome', tls: false },
  { name: 'welcomeHttps', setting: 'WelcomeHttpsPort', key: 'welcomeHttpsPort', role: 'welcome', tls: true },
  { name: 'http', setting: 'HttpPort', key: 'httpPort', role: 'api', tls: false },
  { name: 'https', setting: 'HttpsPort', key: 'httpsPort', role: 'api', tls: true },
] as const;

async function listen(app: FastifyInstance, port: number, host: string, setting: string, iniFile: string): ReturnType<typeof listenLoopback> {
  try {
    return await listenLoopback(app, port, host);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, setting, iniFile);
    throw err;
  }
}

export async function startService(opts: StartOptions): Promise<RunningService> {
  let config: LoadedConfig;
  let lock: LockInfo;
  try {
    config = opts.config ?? (await loadConfig({ home: opts.home, flags: opts.flags ?? {}, env: opts.env ?? process.env }));
    lock = {
      pid: process.pid,
      startedAt: new Date().toISOString(),
      version: VERSION,
      bindAddress: config.settings.bindAddress,
      ports: { http: 0, https: 0, welcomeHttp: 0, welcomeHttps: 0 },
    };
    await acquireLock(config.paths.portLock, lock);
  } catch (err) {
    // Not started: an early discovery worker has nobody to report to.
    opts.early?.abandon();
    throw err;
  }
  const { settings, paths } = config;
  // Languages an administrator adds for OCR (read when a call asks for them; nothing loads now).
  setOcrAdminDir(paths.ocr);
  const log: Logger = createLogger({ logDir: paths.log, level: settings.logLevel, maxSizeMB: settings.logMaxSizeBytes / 1048576, maxFiles: settings.logMaxFiles, console: opts.console ?? false });
  const apps: FastifyInstance[] = [];
  let sessions: SessionManager | null = null;
  let devices: DeviceManager | null = null;
  let escl: EsclScannerDirectory | null = null;
  let esclServer: EsclServer | null = null;
  let advertiser: { close(): Promise<void> } | null = null;
  try {
    // mDNS browsing starts once the service is ready (below) and answers in the background: listing devices never waits for the network.
    escl = await EsclScannerDirectory.open({
      discovery: settings.esclDiscovery,
      listed: settings.esclScanners,
      userFile: path.join(paths.home, 'escl-scanners.json'),
      warn: (message, err) => log.warn({ err }, message),
    });
    // HTTPS network scanners: their self-signed certificates are pinned on first use (escl-pins.json).
    const esclTransport = { tlsOptions: pinnedTlsOptions(new CertificatePins(path.join(paths.home, 'escl-pins.json'))) };
    devices = new DeviceManager(createDrivers(settings, { esclDirectory: escl, esclTransport, early: opts.early }));
    // Look for scanners at once, while the rest starts (a SANE discovery worker
    // takes a few tenths of a second to start, seconds when network backends
    // are configured), so that the first page that asks gets the list at once.
    // (A service stopped meanwhile has silenced its log.)
    devices.list().then(
      (list) => log.info({ devices: list.map((d) => d.id) }, 'devices found'),
      (err: unknown) => log.warn({ err }, 'looking for devices failed'),
    );
    // The HTTP layer (Fastify, the handlers and what they import) and the
    // uploads (the file encoders) are loaded only now, while the drivers look:
    // that look (a SANE worker process starting) then overlaps the loading
    // instead of following it, and the first ListDevices waits for it less.
    const [httpApp, uploadManager] = [import('./http-app.js'), import('../addons/upload/upload-manager.js')];
    // Awaited below; a start that fails before then must not leave them unhandled.
    for (const loading of [httpApp, uploadManager]) loading.catch(() => undefined);
    const [tls, key, adminToken, approvals] = await Promise.all([
      loadOrCreateCertificate(paths.cert),
      loadOrCreateCacheKey(path.join(paths.cert, 'cache.key')),
      loadOrCreateAdminToken(paths.cert),
      Approvals.open(path.join(paths.home, 'approvals.json'), settings.allowedOrigins),
    ]);
    imageMemory.limit = settings.imageMemoryBytes;
    sessions = await SessionManager.open({
      cacheDir: paths.cache,
      key,
      memoryBudgetBytes: settings.memoryBudgetBytes,
      idleTimeoutMs: settings.sessionIdleTimeoutMs,
      log: (level, msg, data) => log[level](data ?? {}, msg),
    });
    const hub = new EventHub();
    const jobs = new JobManager(devices, new JobRecords(path.join(paths.cache, 'jobs')));
    const recovered = sessions;
    await jobs.restore((id) => (recovered.has(id) ? recovered.get(id).buffer : undefined));
    jobs.on('job', (sessionId, event) => hub.publish(sessionId, 'job', event));
    const uploads = new (await uploadManager).UploadManager(paths.upload, settings.uploadDestinations);
    uploads.on('upload', (sessionId, event) => hub.publish(sessionId, 'upload', event));
    await uploads.restore();
    const ctx: ServiceContext = {
      startedAt: new Date(),
      log,
      sessions,
      devices,
      escl,
      jobs,
      uploads,
      ocr: ENGINE_RECOGNIZER,
      hub,
      images: new ImageRenderer(),
      ports: { http: 0, https: 0, welcomeHttp: 0, welcomeHttps: 0 },
      bindAddress: settings.bindAddress,
      held: { http: [], https: [], welcomeHttp: [], welcomeHttps: [] },
      pageGrant: newToken(),
      ownUid: !settings.allowOtherUsers && process.getuid && (await canCheckPeers()) ? process.getuid() : null,
      maxBodyBytes: settings.maxBodyBytes,
      saveFolders: settings.saveFolders,
      approvals,
      consent: new ConsentRequests(),
      consentUrl: (id) => `http://127.0.0.1:${ctx.ports.welcomeHttp}/consent?request=${id}`,
      adminToken,
      limiter: new RateLimiter(CALL_LIMIT.burst, CALL_LIMIT.perSecond),
      imageLimiter: new RateLimiter(IMAGE_LIMIT.burst, IMAGE_LIMIT.perSecond),
      approvalsHtml: () => '',
      stopping: false,
    };
    jobs.on('preview', (sessionId, pageId, version, preview) => ctx.images.prepare(`${sessionId}:${pageId}.${version}`, preview));
    sessions.on('change', (sessionId, event) => {
      hub.publish(sessionId, 'buffer', event);
      // Thumbnails of a removed page, or of an edited page's old version, are never asked for again.
      if (event.action === 'remove' || event.action === 'modify') for (const id of event.ids) ctx.images.forget(`${sessionId}:${id}.`);
    });
    // A closed session leaves nothing behind (its jobs and uploads are forgotten by their cancelAll).
    sessions.on('closed', (sessionId) => {
      ctx.images.forget(`${sessionId}:`);
      hub.drop(sessionId);
    });
    devices.on('change', (list) => hub.publishAll('devices', { devices: list.map((d) => d.id) }));
    devices.watch(settings.deviceListIntervalMs, () => hub.size > 0);
    // A network scanner that appeared, left (goodbye, expiry, network change) or was added reaches pages as the usual devices event.
    // One look after another, so a change that comes during a look is not lost in it.
    const listedDevices = devices;
    let relisting: Promise<unknown> = Promise.resolve();
    escl.onChange(() => {
      relisting = relisting.then(() => listedDevices.list(true)).catch(() => undefined);
    });
    sessions.on('expired', (sessionId) => {
      log.info({ session: sessionId.slice(0, 8) }, 'idle session expired');
      const expired = new ScanbridgeError('job-cancelled', 'the session expired');
      void jobs.cancelAll(sessionId, expired);
      void uploads.cancelAll(sessionId, expired);
    });

    const warnings: string[] = [];
    const { buildApp } = await httpApp;
    for (const listener of LISTENERS) {
      const app = await buildApp(ctx, { role: listener.role, ...(listener.tls ? { tls: { key: tls.key, cert: tls.cert } } : {}) });
      apps.push(app);
      const bound = await listen(app, settings[listener.key], settings.bindAddress, listener.setting, paths.serviceIni);
      ctx.ports[listener.name] = bound.port;
      ctx.held[listener.name] = bound.held;
      for (const problem of bound.problems) {
        log.warn({ listener: listener.name, held: bound.held }, problem);
        warnings.push(`${listener.setting}: ${problem}`);
      }
      if (listener.name === 'welcomeHttps') {
        // The service's own pages (the demo, the consent page) are approved by construction.
        approvals.administer(welcomeOrigins(ctx));
        await approvals.settle();
      }
    }
    if (settings.esclServer) {
      const { startEsclServer } = await import('../escl-server/escl-server.js');
      try {
        esclServer = await startEsclServer({
          devices,
          share: settings.esclShare,
          port: settings.esclPort,
          bindAddress: settings.esclBindAddress,
          allowedNetworks: settings.esclAllowedNetworks,
          tls: settings.esclTls ? { key: tls.key, cert: tls.cert } : undefined,
          uuidFile: path.join(paths.home, 'escl-uuids.json'),
          log,
        });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(settings.esclPort, 'EsclPort', paths.serviceIni);
        throw err;
      }
      log.info({ port: esclServer.port, share: settings.esclShare }, 'eSCL server listening');
      // Announced on the network unless it listens on loopback only (nobody else could reach it).
      if (!['127.0.0.1', '::1', 'localhost'].includes(settings.esclBindAddress)) {
        const { EsclAdvertiser } = await import('../escl-server/advertise.js');
        const scanners = await esclServer.advertised().catch((err: unknown) => {
          log.warn({ err }, 'a shared scanner could not be described for mDNS; not advertised');
          return [];
        });
        advertiser = new EsclAdvertiser(scanners, { onWarning: (err) => log.warn({ err }, 'mDNS advertisement of shared scanners') });
      }
    }
    await updateLock(paths.portLock, { ...lock, ports: { ...ctx.ports } });
    log.info({ ports: ctx.ports, version: VERSION, sessions: sessions.size }, 'scanbridge started');
    // Ready: what only serves later (the mDNS library, network traffic) starts a moment after the caller
    // has been told, out of the way of its first calls (after-ready.ts). A directory closed meanwhile does not browse.
    const browsed = escl;
    setTimeout(() => browsed.browse().catch((err: unknown) => log.warn({ err }, 'mDNS discovery of eSCL scanners could not start')), AFTER_READY_MS).unref();

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        ctx.stopping = true;
        log.info('scanbridge stopping');
        await advertiser?.close();
        await Promise.all([jobs.cancelAll(), uploads.cancelAll(), esclServer?.close()]);
        await Promise.allSettled(apps.map((a) => a.close()));
        await sessions!.shutdown();
        await devices!.close();
        await escl!.close();
        await closeSharedPools();
        await releaseLock(paths.portLock);
        log.info('scanbridge stopped');
        await closeLogger(log);
      })());
    return { ctx, settings, paths, ports: ctx.ports, warnings, esclServer, stop };
  } catch (err) {
    opts.early?.abandon();
    await advertiser?.close();
    await esclServer?.close();
    await escl?.close();
    await Promise.allSettled(apps.map((a) => a.close()));
    await sessions?.shutdown();
    await devices?.close();
    await escl?.close();
    await releaseLock(paths.portLock);
    log.error({ err }, 'scanbridge failed to start');
    await closeLogger(log);
    throw err;
  }
}
