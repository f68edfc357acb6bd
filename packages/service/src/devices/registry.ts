/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';
import { EsclDriver } from './escl/escl-driver.js';
import type { EsclDirectory } from './escl/endpoints.js';
import type { EsclTransport } from './escl/escl-request.js';
import { CameraDriver } from './camera/camera-driver.js';
import { parseTestCameras } from './camera/test-camera-setting.js';

export interface DriverSources {
  /** Where network (eSCL) scanners are found; none given: no network scanners are listed. */
  esclDirectory?: EsclDirectory | undefined;
  /** How eSCL requests reach devices (TLS options such as certificate pinning). */
  esclTransport?: EsclTransport | undefined;
}

/** Lists nothing: the service without a discovery of network scanners. */
const NO_NETWORK_SCANNERS: EsclDirectory = { endpoints: () => [], onChange: () => () => undefined, close: async () => undefined };

export function createDrivers(settings: Settings, sources: DriverSources = {}): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs }));
  drivers.push(new EsclDriver({ directory: sources.esclDirectory ?? NO_NETWORK_SCANNERS, ...(sources.esclTransport ? { transport: sources.esclTransport } : {}) }));
  const testCameras = parseTestCameras(settings.testCameras);
  if (settings.cameras || testCameras.length > 0) drivers.push(new CameraDriver({ ffmpegPath: settings.ffmpegPath, testCameras, systemCameras: settings.cameras }));
  return drivers;
}
