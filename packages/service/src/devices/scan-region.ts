/**
 * The region a scan asks for, whichever way it was said: a named paper, a
 * paper size in millimetres, an `area` (as scanimage's -l -t -x -y), or
 * nothing (the driver's default: the whole scan area for SANE devices, so a
 * 200 x 200 mm scanner scans without naming a size).
 */
import { PAPER_SIZES, ScanbridgeError } from '@scanbridge/protocol/core';
import type { ScanSettings } from '@scanbridge/protocol';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RequestedRegion {
  region: Region;
  /** The setting it came from, for messages and error details. */
  setting: 'paper' | 'area';
  value: unknown;
}

const invalid = (setting: string, value: unknown, message: string, allowed: unknown) => new ScanbridgeError('invalid-settings', message, { setting, value, allowed });

/** The region asked for, or null for the device's default. */
export function requestedRegion(settings: Pick<ScanSettings, 'paper' | 'area'>): RequestedRegion | null {
  const { paper, area } = settings;
  if (paper !== undefined && area !== undefined) throw invalid('area', area, 'settings.paper and settings.area exclude each other: give the paper size, or the area to scan in millimetres', null);
  if (area !== undefined) return { region: { x: area.x ?? 0, y: area.y ?? 0, width: area.width, height: area.height }, setting: 'area', value: area };
  if (paper === undefined) return null;
  if (typeof paper === 'string') return { region: { x: 0, y: 0, ...PAPER_SIZES[paper] }, setting: 'paper', value: paper };
  return { region: { x: paper.x ?? 0, y: paper.y ?? 0, width: paper.width, height: paper.height }, setting: 'paper', value: paper };
}

const round = (mm: number): number => Math.round(mm * 10) / 10;

/** Refuses an area reaching outside the device's scan area, naming the bounds. */
export function checkArea(device: string, asked: RequestedRegion, max: { width: number; height: number }): void {
  const { x, y, width, height } = asked.region;
  const inside = x >= 0 && y >= 0 && width > 0 && height > 0 && x + width <= max.width + 0.05 && y + height <= max.height + 0.05;
  if (inside) return;
  throw invalid(
    'area',
    asked.value,
    `area ${round(width)} x ${round(height)} mm at (${round(x)}, ${round(y)}) reaches outside the scan area of ${device}: x from 0 to ${round(max.width)} mm, y from 0 to ${round(max.height)} mm (x + width and y + height at most those)`,
    { maxArea: { width: round(max.width), height: round(max.height) } },
  );
}
