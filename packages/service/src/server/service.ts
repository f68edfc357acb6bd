/**
 * `scanbridge run`: loads the configuration, takes the folder's port.lock,
 * recovers the image buffer, and opens the four listeners. Returns a handle
 * whose `stop()` ends jobs, closes listeners and flushes the buffer.
 */
import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol';
import { canCheckPeers } from '../security/peer-user.js';
import { loadConfig } from '../config/load.js';
import type { Settings } from '../config/settings.js';
import type { ServicePaths } from '../config/paths.js';
import { SessionManager } from '../buffer/session-manager.js';
import { loadOrCreateCacheKey } from '../buffer/cipher.js';
import { DeviceManager } from '../devices/device-manager.js';
import { createDrivers } from '../devices/registry.js';
import { JobManager } from '../jobs/job-manager.js';
import { JobRecords } from '../jobs/job-records.js';
import { UploadManager } from '../addons/upload/upload-manager.js';
import { loadOrCreateCertificate } from '../security/certificate.js';
import { closeLogger, createLogger, type Logger } from '../util/logger.js';
import { acquireLock, releaseLock, updateLock, type LockInfo } from '../util/port-lock.js';
import { VERSION } from '../version.js';
import type { ListenerPorts, ServiceContext } from './context.js';
import { EventHub } from './event-hub.js';
import { welcomeOrigins } from './cors.js';
import { Approvals } from '../security/approvals.js';
import { ConsentRequests } from '../security/consent-requests.js';
import { RateLimiter } from '../security/rate-limit.js';
import { loadOrCreateAdminToken } from '../security/admin-token.js';
import { buildApp } from './http-app.js';
import { ImageRenderer } from './image-renderer.js';
import { imageMemory } from '../util/memory-budget.js';

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
}

export interface RunningService {
  readonly ctx: ServiceContext;
  readonly settings: Settings;
  readonly paths: ServicePaths;
  readonly ports: ListenerPorts;
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

async function listen(app: FastifyInstance, port: number, host: string, setting: string, iniFile: string): Promise<number> {
  try {
    await app.listen({ port, host });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new PortInUseError(port, setting, iniFile);
    throw err;
  }
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : port;
}

export async function startService(opts: StartOptions): Promise<RunningService> {
  const { settings, paths } = await loadConfig({ home: opts.home, flags: opts.flags ?? {}, env: opts.env ?? process.env });
  const lock: LockInfo = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    version: VERSION,
    bindAddress: settings.bindAddress,
    ports: { http: 0, https: 0, welcomeHttp: 0, welcomeHttps: 0 },
  };
  await acquireLock(paths.portLock, lock);
  const log: Logger = createLogger({ logDir: paths.log, level: settings.logLevel, maxSizeMB: settings.logMaxSizeBytes / 1048576, maxFiles: settings.logMaxFiles, console: opts.console ?? false });
  const apps: FastifyInstance[] = [];
  let sessions: SessionManager | null = null;
  let devices: DeviceManager | null = null;
  try {
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
    devices = new DeviceManager(createDrivers(settings));
    const hub = new EventHub();
    const jobs = new JobManager(devices, new JobRecords(path.join(paths.cache, 'jobs')));
    await jobs.restore();
    jobs.on('job', (sessionId, event) => hub.publish(sessionId, 'job', event));
    const uploads = new UploadManager(paths.upload, settings.uploadDestinations);
    uploads.on('upload', (sessionId, event) => hub.publish(sessionId, 'upload', event));
    await uploads.restore();
    const ctx: ServiceContext = {
      startedAt: new Date(),
      log,
      sessions,
      devices,
      jobs,
      uploads,
      hub,
      images: new ImageRenderer(),
      ports: { http: 0, https: 0, welcomeHttp: 0, welcomeHttps: 0 },
      bindAddress: settings.bindAddress,
      ownUid: !settings.allowOtherUsers && process.getuid && (await canCheckPeers()) ? process.getuid() : null,
      maxBodyBytes: settings.maxBodyBytes,
      saveFolders: settings.saveFolders,
      approvals,
      consent: new ConsentRequests(),
      consentUrl: (id) => `http://127.0.0.1:${ctx.ports.welcomeHttp}/consent?request=${id}`,
      adminToken,
      // Generous for a viewer fetching hundreds of thumbnails, tight enough to blunt a flood.
      limiter: new RateLimiter(2000, 500),
      approvalsHtml: () => '',
      stopping: false,
    };
    sessions.on('change', (sessionId, event) => hub.publish(sessionId, 'buffer', event));
    devices.on('change', (list) => hub.publishAll('devices', { devices: list.map((d) => d.id) }));
    devices.watch(settings.deviceListIntervalMs, () => hub.size > 0);
    sessions.on('expired', (sessionId) => {
      log.info({ session: sessionId.slice(0, 8) }, 'idle session expired');
      const expired = new ScanbridgeError('job-cancelled', 'the session expired');
      void jobs.cancelAll(sessionId, expired);
      void uploads.cancelAll(sessionId, expired);
    });

    for (const listener of LISTENERS) {
      const app = await buildApp(ctx, { role: listener.role, ...(listener.tls ? { tls: { key: tls.key, cert: tls.cert } } : {}) });
      apps.push(app);
      ctx.ports[listener.name] = await listen(app, settings[listener.key], settings.bindAddress, listener.setting, paths.serviceIni);
      if (listener.name === 'welcomeHttps') {
        // The service's own pages (the demo, the consent page) are approved by construction.
        approvals.administer(welcomeOrigins(ctx));
        await approvals.settle();
      }
    }
    await updateLock(paths.portLock, { ...lock, ports: { ...ctx.ports } });
    log.info({ ports: ctx.ports, version: VERSION, sessions: sessions.size }, 'scanbridge started');
    // Look for scanners now, so the first page that asks gets the list at once
    // (SANE discovery takes seconds when network backends are configured).
    // (A service stopped meanwhile has closed its log.)
    devices.list().then(
      (list) => ctx.stopping || log.info({ devices: list.map((d) => d.id) }, 'devices found'),
      (err: unknown) => ctx.stopping || log.warn({ err }, 'looking for devices failed'),
    );

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        ctx.stopping = true;
        log.info('scanbridge stopping');
        await Promise.all([jobs.cancelAll(), uploads.cancelAll()]);
        await Promise.allSettled(apps.map((a) => a.close()));
        await sessions!.shutdown();
        await devices!.close();
        await releaseLock(paths.portLock);
        log.info('scanbridge stopped');
        await closeLogger(log);
      })());
    return { ctx, settings, paths, ports: ctx.ports, stop };
  } catch (err) {
    await Promise.allSettled(apps.map((a) => a.close()));
    await sessions?.shutdown();
    await devices?.close();
    await releaseLock(paths.portLock);
    log.error({ err }, 'scanbridge failed to start');
    await closeLogger(log);
    throw err;
  }
}
