/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';
import { EsclDriver } from './escl/escl-driver.js';
import type { EsclDirectory } from './escl/endpoints.js';
import type { CertificatePins } from './escl/certificate-pins.js';
import { CameraDriver } from './camera/camera-driver.js';
import { parseTestCameras } from './camera/test-camera-setting.js';

/** Lists nothing: the service without a discovery of network scanners. */
const NO_NETWORK_SCANNERS: EsclDirectory = { endpoints: () => [], onChange: () => () => undefined, close: async () => undefined };

/** `escl`: where network scanners are found (the service opens it; the eSCL driver reads it); `pins`: HTTPS scanners' pinned certificates. */
export function createDrivers(settings: Settings, network: { escl?: EsclDirectory; pins?: CertificatePins } = {}): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs }));
  drivers.push(new EsclDriver({ directory: network.escl ?? NO_NETWORK_SCANNERS, ...(network.pins ? { transport: { pins: network.pins } } : {}) }));
  const testCameras = parseTestCameras(settings.testCameras);
  if (settings.cameras || testCameras.length > 0) drivers.push(new CameraDriver({ ffmpegPath: settings.ffmpegPath, testCameras, systemCameras: settings.cameras }));
  return drivers;
}
