/**
 * Parsers of `v4l2-ctl` output (package v4l-utils): the formats a video node
 * offers (`--list-formats-ext`), whether it captures video at all (`--info`:
 * UVC cameras also have a metadata node that ffmpeg cannot open) and its
 * controls (`--list-ctrls-menus`). Both layouts of v4l-utils are read: the
 * `[0]: 'MJPG' (Motion-JPEG, compressed)` one of 1.20+ and the older
 * `Index : 0 / Pixel Format: 'MJPG'` one.
 */
import type { CameraControl, CameraMode } from './camera-model.js';

/** V4L2 fourcc codes to ffmpeg's pixel format names (`-input_format`). */
const FOURCC: Record<string, string> = {
  MJPG: 'mjpeg',
  JPEG: 'mjpeg',
  YUYV: 'yuyv422',
  UYVY: 'uyvy422',
  NV12: 'nv12',
  YU12: 'yuv420p',
  H264: 'h264',
  RGB3: 'rgb24',
  BGR3: 'bgr24',
  GREY: 'gray',
};

/** ffmpeg's name for a V4L2 fourcc; unknown ones keep the fourcc in lower case. */
export function pixelFormatOfFourcc(fourcc: string): string {
  return FOURCC[fourcc] ?? fourcc.trim().toLowerCase();
}

/** Common frame sizes offered inside a stepwise or continuous range. */
const COMMON_SIZES: [number, number][] = [[3840, 2160], [2592, 1944], [1920, 1080], [1600, 1200], [1280, 720], [1024, 768], [800, 600], [640, 480], [320, 240]];

export function parseV4l2Formats(text: string): CameraMode[] {
  const modes: CameraMode[] = [];
  let format: string | null = null;
  let current: CameraMode | null = null;
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*(?:\[\d+\]:|Pixel Format\s*:)\s*'([^']{1,4})'/.exec(line);
    if (header) {
      format = pixelFormatOfFourcc(header[1]!);
      current = null;
      continue;
    }
    if (/^\s*Type\s*:/.test(line) && !/Video Capture/.test(line)) {
      // Output or overlay formats are not ours.
      format = null;
      continue;
    }
    if (!format) continue;
    const discrete = /^\s*Size:\s*Discrete\s+(\d+)x(\d+)/.exec(line);
    if (discrete) {
      current = { pixelFormat: format, width: Number(discrete[1]), height: Number(discrete[2]), fps: [] };
      modes.push(current);
      continue;
    }
    const range = /^\s*Size:\s*(?:Stepwise|Continuous)\s+(\d+)x(\d+)\s*-\s*(\d+)x(\d+)/.exec(line);
    if (range) {
      const [minW, minH, maxW, maxH] = range.slice(1, 5).map(Number) as [number, number, number, number];
      const inside = COMMON_SIZES.filter(([w, h]) => w >= minW && w <= maxW && h >= minH && h <= maxH);
      if (!inside.some(([w, h]) => w === maxW && h === maxH)) inside.unshift([maxW, maxH]);
      for (const [width, height] of inside) modes.push({ pixelFormat: format, width, height, fps: [] });
      current = null;
      continue;
    }
    const interval = /^\s*Interval:\s*Discrete\s+[\d.]+s\s*\(([\d.]+)\s*fps\)/.exec(line);
    if (interval && current) {
      const fps = Math.round(Number(interval[1]) * 1000) / 1000;
      if (!current.fps.includes(fps)) current.fps.push(fps);
      current.fps.sort((a, b) => b - a);
    }
  }
  return modes;
}

/** Whether the node captures video (its Device Caps, not the whole device's Capabilities, name Video Capture). */
export function parseV4l2CapturesVideo(info: string): boolean {
  const lines = info.split(/\r?\n/);
  const start = lines.findIndex((l) => /^\s*Device Caps\s*:/.test(l));
  if (start < 0) return lines.some((l) => /^\s+Video Capture\s*$/.test(l));
  for (const line of lines.slice(start + 1)) {
    if (!/^\t\t|^\s{8,}/.test(line)) break;
    if (/^\s*Video Capture( Multiplanar)?\s*$/.test(line)) return true;
  }
  return false;
}

export function parseV4l2Card(info: string): string | null {
  return /^\s*Card type\s*:\s*(.+?)\s*$/m.exec(info)?.[1] ?? null;
}

export function parseV4l2Bus(info: string): string | null {
  return /^\s*Bus info\s*:\s*(.+?)\s*$/m.exec(info)?.[1] ?? null;
}

export function parseV4l2Controls(text: string): CameraControl[] {
  const controls: CameraControl[] = [];
  let last: CameraControl | null = null;
  for (const line of text.split(/\r?\n/)) {
    const head = /^\s*([a-z0-9_]+)\s+0x[0-9a-f]+\s+\((int|bool|menu|intmenu)\)\s*:\s*(.*)$/.exec(line);
    if (head) {
      const fields = new Map([...head[3]!.matchAll(/(\w+)=(-?\d+|\w+)/g)].map((m) => [m[1]!, m[2]!]));
      const num = (key: string, fallback: number) => (fields.has(key) && /^-?\d+$/.test(fields.get(key)!) ? Number(fields.get(key)) : fallback);
      const type = head[2] === 'bool' ? 'bool' : head[2] === 'int' ? 'int' : 'menu';
      last = {
        name: head[1]!,
        type,
        min: num('min', 0),
        max: num('max', 1),
        step: num('step', 1),
        default: num('default', 0),
        value: num('value', 0),
        inactive: /flags=\S*inactive/.test(head[3]!),
        menu: [],
      };
      controls.push(last);
      continue;
    }
    const item = /^\s+(-?\d+):\s+(.+?)\s*$/.exec(line);
    if (item && last?.type === 'menu') last.menu.push({ value: Number(item[1]), label: item[2]! });
  }
  return controls;
}
