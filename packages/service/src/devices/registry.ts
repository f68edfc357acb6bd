/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import type https from 'node:https';
import type { EsclDirectory, EsclEndpoint } from './escl/endpoints.js';
import type { EarlyLooks } from './early-looks.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';
import { EsclDriver } from './escl/escl-driver.js';
import { CameraDriver } from './camera/camera-driver.js';
import { parseTestCameras } from './camera/test-camera-setting.js';

/** Lists nothing: the service without a discovery of network scanners. */
const NO_NETWORK_SCANNERS: EsclDirectory = { endpoints: () => [], onChange: () => () => undefined, close: async () => undefined };

/** What the service hands the eSCL driver (the same shape as the driver's own EsclTransport hook). */
export interface DriverSources {
  /** Where network (eSCL) scanners are found: the service opens it, the eSCL driver reads it. */
  esclDirectory?: EsclDirectory | undefined;
  /** How eSCL requests reach devices: the TLS options of an HTTPS scanner (certificate pinning, pinned-tls.ts). */
  esclTransport?: { tlsOptions?(endpoint: EsclEndpoint): https.RequestOptions } | undefined;
  /** What `scanbridge run` started already for the first device list (early-looks.ts): the drivers take it over. */
  early?: EarlyLooks | undefined;
}

export function createDrivers(settings: Settings, sources: DriverSources = {}): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) {
    drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs, ...(sources.early?.saneDiscovery ? { discovery: sources.early.saneDiscovery } : {}) }));
  } else {
    sources.early?.saneDiscovery?.abandon();
  }
  drivers.push(new EsclDriver({ directory: sources.esclDirectory ?? NO_NETWORK_SCANNERS, ...(sources.esclTransport ? { transport: sources.esclTransport } : {}) }));
  const testCameras = parseTestCameras(settings.testCameras);
  if (settings.cameras || testCameras.length > 0) drivers.push(new CameraDriver({ ffmpegPath: settings.ffmpegPath, testCameras, systemCameras: settings.cameras, ...(sources.early?.cameraTools ? { toolProbe: sources.early.cameraTools } : {}) }));
  return drivers;
}
