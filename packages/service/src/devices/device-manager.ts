/**
 * Routes device calls to drivers by id prefix, caches the device list and
 * reports drivers that are unavailable with the reason (e.g. the package to
 * install) instead of failing.
 */
import { ScanbridgeError, type Capabilities, type DeviceInfo } from '@scanbridge/protocol';
import type { Driver } from './driver.js';

export interface DriverStatus {
  name: string;
  available: boolean;
  reason: string | null;
}

export class DeviceManager {
  private cache: DeviceInfo[] | null = null;
  private listing: Promise<DeviceInfo[]> | null = null;

  constructor(private readonly drivers: readonly Driver[]) {}

  async status(): Promise<DriverStatus[]> {
    return Promise.all(
      this.drivers.map(async (driver) => {
        const a = await driver.availability();
        return { name: driver.name, available: a.available, reason: a.available ? null : a.reason };
      }),
    );
  }

  /** All devices of all available drivers; cached until `refresh`. */
  async list(refresh = false): Promise<DeviceInfo[]> {
    if (this.cache && !refresh) return this.cache;
    this.listing ??= (async () => {
      const lists = await Promise.all(
        this.drivers.map(async (driver) => ((await driver.availability()).available ? driver.list() : [])),
      );
      return lists.flat();
    })().finally(() => {
      this.listing = null;
    });
    this.cache = await this.listing;
    return this.cache;
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
    await Promise.all(this.drivers.map((d) => d.close?.()));
  }
}
