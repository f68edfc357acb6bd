/**
 * Routes device calls to drivers by id prefix, caches the device list and
 * reports drivers that are unavailable with the reason (e.g. the package to
 * install) instead of failing. When a look finds other devices than the one
 * before (a scanner plugged in or removed), it says so (`change`); `watch`
 * looks again periodically while someone is there to be told.
 */
import { EventEmitter } from 'node:events';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { Capabilities, DeviceInfo } from '@scanbridge/protocol';
import type { Driver } from './driver.js';

export interface DriverStatus {
  name: string;
  available: boolean;
  reason: string | null;
}

export interface DeviceManagerEvents {
  /** The device list differs from the previous look. */
  change: [devices: DeviceInfo[]];
}

const idsOf = (devices: readonly DeviceInfo[]) => devices.map((d) => d.id).sort().join('\n');

export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  private cache: DeviceInfo[] | null = null;
  private listing: Promise<DeviceInfo[]> | null = null;
  private timer: NodeJS.Timeout | null = null;
  /** Who holds each device now (a job of the API, an eSCL client's job): one user at a time. */
  private readonly holders = new Map<string, string>();
  /** Why the last look of a driver failed (a crashed discovery), until one succeeds. */
  private readonly failures = new Map<string, string>();

  constructor(private readonly drivers: readonly Driver[]) {
    super();
  }

  async status(): Promise<DriverStatus[]> {
    return Promise.all(
      this.drivers.map(async (driver) => {
        const a = await driver.availability();
        const failure = this.failures.get(driver.name);
        return { name: driver.name, available: a.available, reason: a.available ? (failure ? `the last look for devices failed: ${failure}` : null) : a.reason };
      }),
    );
  }

  /**
   * All devices of all available drivers; cached until `refresh`. `askNetwork`
   * (a page's ListDevices with refresh): network drivers ask the network again
   * rather than answer what they last heard.
   */
  async list(refresh = false, options: { askNetwork?: boolean } = {}): Promise<DeviceInfo[]> {
    if (this.cache && !refresh) return this.cache;
    // A look already under way did not ask the network: this one does, after it.
    if (options.askNetwork && this.listing) await this.listing.catch(() => undefined);
    const before = this.cache;
    this.listing ??= (async () => {
      const lists = await Promise.all(
        this.drivers.map(async (driver) => {
          if (driver.nothingToList?.() || !(await driver.availability()).available) return [];
          try {
            const devices = await driver.list(options.askNetwork ? { askNetwork: true } : {});
            this.failures.delete(driver.name);
            return devices;
          } catch (err) {
            // One driver's failure (a backend that crashes its discovery worker)
            // must not hide the others' scanners; its own stay as last seen.
            this.failures.set(driver.name, err instanceof Error ? err.message : String(err));
            return before?.filter((d) => d.driver === driver.name) ?? [];
          }
        }),
      );
      return lists.flat();
    })().finally(() => {
      this.listing = null;
    });
    const devices = await this.listing;
    // A caller that shared this look with another finds the list already recorded.
    if (this.cache !== before) return this.cache ?? devices;
    this.cache = devices;
    if (before && idsOf(before) !== idsOf(devices)) this.emit('change', devices);
    return devices;
  }

  /**
   * Look again every `everyMs` while `wanted()` (a page is connected): SANE
   * discovery takes seconds and may broadcast on the network, so nobody
   * listening means no looking.
   */
  watch(everyMs: number, wanted: () => boolean): void {
    if (this.timer || everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (!this.listing && wanted()) this.list(true).catch(() => undefined);
    }, everyMs);
    this.timer.unref();
  }

  /**
   * Takes the device for one job, or throws device-busy naming who has it.
   * The API's jobs and the eSCL server share it, so a scanner in use by a
   * page is busy for the network and the reverse. Returns the release.
   */
  claim(deviceId: string, holder: string): () => void {
    const current = this.holders.get(deviceId);
    if (current !== undefined) throw new ScanbridgeError('device-busy', `device "${deviceId}" is busy with ${current}; wait for it to end or cancel it`);
    this.holders.set(deviceId, holder);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders.delete(deviceId);
    };
  }

  held(deviceId: string): boolean {
    return this.holders.has(deviceId);
  }

  driverFor(deviceId: string): Driver {
    const prefix = deviceId.split(':', 1)[0] ?? '';
    const driver = this.drivers.find((d) => d.name === prefix);
    if (!driver) {
      throw new ScanbridgeError('unknown-device', `unknown device "${deviceId}": no driver "${prefix}" (drivers: ${this.drivers.map((d) => d.name).join(', ')}); use an id from ListDevices`);
    }
    return driver;
  }

  async capabilities(deviceId: string): Promise<Capabilities> {
    const driver = this.driverFor(deviceId);
    const availability = await driver.availability();
    if (!availability.available) throw new ScanbridgeError('driver-unavailable', `the ${driver.name} driver is unavailable: ${availability.reason}`);
    return driver.capabilities(deviceId);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all(this.drivers.map((d) => d.close?.()));
  }
}
