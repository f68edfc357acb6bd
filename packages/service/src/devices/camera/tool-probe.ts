/**
 * Whether ffmpeg and v4l2-ctl run: the camera driver's availability, which
 * the first device list waits for. ffmpeg takes about 0.1 s of CPU just to
 * print its version (it loads its libraries), so `scanbridge run` starts the
 * probe as soon as it has read the settings (devices/early-looks.ts), and the
 * driver answers from it.
 */
import { runTool, type ToolResult } from './ffmpeg-process.js';

export interface ToolProbe {
  /** The ffmpeg asked (a driver with another one probes its own). */
  readonly ffmpeg: string;
  readonly results: Promise<[ffmpeg: ToolResult, v4l2ctl: ToolResult | null]>;
}

export function probeCameraTools(ffmpeg: string): ToolProbe {
  // Both asked at once, at a lower priority: the service's own start goes first (util/background-priority.ts).
  const results = Promise.all([runTool(ffmpeg, ['-hide_banner', '-version'], { timeoutMs: 10_000, background: true }), process.platform === 'linux' ? runTool('v4l2-ctl', ['--help'], { timeoutMs: 10_000, background: true }) : null] as const);
  return { ffmpeg, results };
}
