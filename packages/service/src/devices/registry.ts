/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import type { EsclDirectory } from './escl/endpoints.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';
import { CameraDriver } from './camera/camera-driver.js';
import { parseTestCameras } from './camera/test-camera-setting.js';

/** `escl`: where network scanners are found (the service opens it; the eSCL driver reads it). */
export function createDrivers(settings: Settings, _network: { escl?: EsclDirectory } = {}): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs }));
  const testCameras = parseTestCameras(settings.testCameras);
  if (settings.cameras || testCameras.length > 0) drivers.push(new CameraDriver({ ffmpegPath: settings.ffmpegPath, testCameras, systemCameras: settings.cameras }));
  return drivers;
}
