/**
 * What the scanner list shows for each device: its name, and where two
 * devices share a name (two SANE "Noname frontend-tester" test devices, two
 * scanners of one model) its id too, so that they can be told apart; a
 * network (eSCL) scanner says so, as it may be in another room.
 */
import type { DeviceInfo } from '@scanbridge/client';

export function deviceLabels(devices: readonly (Pick<DeviceInfo, 'id' | 'name'> & Partial<Pick<DeviceInfo, 'driver'>>)[]): string[] {
  const count = new Map<string, number>();
  for (const d of devices) count.set(d.name, (count.get(d.name) ?? 0) + 1);
  return devices.map((d) => {
    const name = (count.get(d.name) ?? 0) > 1 ? `${d.name} (${d.id})` : d.name;
    return d.driver === 'escl' ? `${name} — network scanner` : name;
  });
}
