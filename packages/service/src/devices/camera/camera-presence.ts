/**
 * A glance at whether there may be a camera to list, without starting a
 * process: the first device list and `scanbridge run`'s early look use it to
 * leave ffmpeg alone (about 0.2 s of CPU just to start) on a machine with no
 * camera. Kept apart from camera-discovery.ts so that the early look loads
 * nothing more.
 */
import { readdirSync } from 'node:fs';
import type { TestCamera } from './camera-discovery.js';

/** Where Linux lists video nodes. */
export const SYSFS_VIDEO = '/sys/class/video4linux';

/**
 * Whether a look could find a camera: a test camera, or on Linux a video node
 * (capture or not: the look tells). macOS and Windows list cameras only
 * through ffmpeg, so there may always be one there; elsewhere there is none.
 */
export function mayFindCameras(where: { platform: NodeJS.Platform; sysfs: string }, tests: readonly TestCamera[]): boolean {
  if (tests.length > 0) return true;
  if (where.platform !== 'linux') return where.platform === 'darwin' || where.platform === 'win32';
  try {
    return readdirSync(where.sysfs).some((name) => /^video\d+$/.test(name));
  } catch {
    return false;
  }
}
