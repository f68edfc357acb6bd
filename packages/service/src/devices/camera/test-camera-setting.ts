/**
 * TestCameras: stand-ins for cameras on machines without one, as the SANE
 * test backend stands in for a scanner. Each entry `name=source` becomes
 * `camera:test-<name>`, a video file (absolute path) or a lavfi graph
 * (`lavfi:testsrc2=size=1280x720:rate=30`) that ffmpeg plays in a loop, in
 * real time, through the same capture and preview code as a real camera.
 */
import path from 'node:path';
import { list, type ValueType } from '../../config/value-types.js';
import type { TestCamera } from './camera-discovery.js';

const EXPECTED = 'name=source entries separated by semicolons (name: letters, digits, - or _; source: an absolute video file path or lavfi:<graph>), or empty for none';

export const testCameraList = (): ValueType<readonly string[]> =>
  list(';', EXPECTED, (entry) => {
    const m = /^([A-Za-z0-9_-]{1,32})\s*=\s*(.+)$/.exec(entry);
    if (!m) return { ok: false, problem: `"${entry}" is not name=source (expected ${EXPECTED})` };
    const source = m[2]!.trim();
    if (!source.startsWith('lavfi:') && !path.isAbsolute(source)) return { ok: false, problem: `"${source}" is neither an absolute path nor lavfi:<graph> (expected ${EXPECTED})` };
    return { ok: true, value: `${m[1]}=${source}` };
  });

export function parseTestCameras(entries: readonly string[]): TestCamera[] {
  return entries.map((e) => {
    const at = e.indexOf('=');
    return { name: e.slice(0, at), source: e.slice(at + 1) };
  });
}
