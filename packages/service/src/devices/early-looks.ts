/**
 * What `scanbridge run` starts as soon as it has read the settings, before
 * the service's own modules load: the processes the first device list waits
 * for, the SANE discovery worker (sane/discovery-fork.ts) and the camera
 * tools' probe (camera/tool-probe.ts). They run while the service loads, on
 * the other core, and their drivers take them over (registry.ts); the first
 * ListDevices then finds the list instead of waiting for them (bench/startup).
 * Kept light: nothing here loads a driver.
 */
import type { Settings } from '../config/settings.js';
import type { ForkedWorker } from '../supervisor/worker-fork.js';
import { forkSaneDiscovery } from './sane/discovery-fork.js';
import { probeCameraTools, type ToolProbe } from './camera/tool-probe.js';
import { parseTestCameras } from './camera/test-camera-setting.js';
import { mayFindCameras, SYSFS_VIDEO } from './camera/camera-presence.js';

export interface EarlyLooks {
  saneDiscovery?: ForkedWorker;
  cameraTools?: ToolProbe;
  /** The service did not start: end what nobody took over. */
  abandon(): void;
}

export function startEarlyLooks(settings: Settings): EarlyLooks {
  const saneDiscovery = settings.saneScanners ? forkSaneDiscovery(settings.saneLibrary) : undefined;
  // ffmpeg only where a camera may be found: the first list skips the camera driver otherwise (driver.ts nothingToList).
  const where = { platform: settings.cameras ? process.platform : ('aix' as const), sysfs: SYSFS_VIDEO };
  const cameraTools = mayFindCameras(where, parseTestCameras(settings.testCameras)) ? probeCameraTools(settings.ffmpegPath || 'ffmpeg') : undefined;
  return {
    ...(saneDiscovery ? { saneDiscovery } : {}),
    ...(cameraTools ? { cameraTools } : {}),
    // A probe ends by itself within its timeout; only the worker waits to be told.
    abandon: () => saneDiscovery?.abandon(),
  };
}
