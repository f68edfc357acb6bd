/**
 * What the scanner list shows for each device: its name, and where two
 * devices share a name (two SANE "Noname frontend-tester" test devices, two
 * scanners of one model) its id too, so that they can be told apart.
 */
import type { DeviceInfo } from '@scanbridge/client';

export function deviceLabels(devices: readonly Pick<DeviceInfo, 'id' | 'name'>[]): string[] {
  const count = new Map<string, number>();
  for (const d of devices) count.set(d.name, (count.get(d.name) ?? 0) + 1);
  return devices.map((d) => ((count.get(d.name) ?? 0) > 1 ? `${d.name} (${d.id})` : d.name));
}
