/** The drivers this service offers, picked from the settings. */
import type { Settings } from '../config/settings.js';
import type { Driver } from './driver.js';
import type { EsclDirectory } from './escl/endpoints.js';
import { DemoDriver } from './demo/demo-driver.js';
import { SaneDriver } from './sane/sane-driver.js';

/** `escl`: where network scanners are found (the service opens it; the eSCL driver reads it). */
export function createDrivers(settings: Settings, _network: { escl?: EsclDirectory } = {}): Driver[] {
  const drivers: Driver[] = [];
  if (settings.demoScanner) drivers.push(new DemoDriver({ feederSheets: settings.demoFeederSheets }));
  if (settings.saneScanners) drivers.push(new SaneDriver({ library: settings.saneLibrary, idleTimeoutMs: settings.deviceWorkerIdleTimeoutMs, discoveryIntervalMs: settings.saneDiscoveryIntervalMs }));
  return drivers;
}
