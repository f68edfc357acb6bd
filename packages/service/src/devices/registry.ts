/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';
import { CameraDriver } from './camera/camera-driver.js';
import { parseTestCameras } from './camera/test-camera-setting.js';

export function createDrivers(settings: Settings): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs }));
  const testCameras = parseTestCameras(settings.testCameras);
  if (settings.cameras || testCameras.length > 0) drivers.push(new CameraDriver({ ffmpegPath: settings.ffmpegPath, testCameras, systemCameras: settings.cameras }));
  return drivers;
}
