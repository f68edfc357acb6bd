/**
 * Parsers of what ffmpeg prints when asked about cameras: `-f v4l2
 * -list_formats all` (Linux, when v4l2-ctl is missing), `-f dshow
 * -list_devices true` and `-list_options true` (Windows), `-f avfoundation
 * -list_devices true` and the supported modes it prints when it refuses one
 * (macOS). ffmpeg writes these on stderr, each line after a `[name @ 0x...]`
 * prefix.
 */
import type { CameraMode } from './camera-model.js';

const PREFIX = /^\[[^\]]*@\s*[0-9a-fA-Fx]+\]\s?/;

/** `[video4linux2,v4l2 @ 0x..] Compressed:       mjpeg :          Motion-JPEG : 640x480 1280x720` */
export function parseFfmpegV4l2Formats(text: string): CameraMode[] {
  const modes: CameraMode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\[video4linux2[^\]]*\]\s*(?:Raw|Compressed)\s*:\s*(\S+)\s*:[^:]*:\s*(.*)$/.exec(line);
    if (!m) continue;
    for (const size of m[2]!.matchAll(/(\d+)x(\d+)/g)) modes.push({ pixelFormat: m[1]!, width: Number(size[1]), height: Number(size[2]), fps: [] });
  }
  return modes;
}

/** Video devices of `-f dshow -list_devices true -i dummy`, by the name `-i video=<name>` takes. */
export function parseDshowDevices(text: string): string[] {
  const names: string[] = [];
  let legacyVideo = false;
  for (const raw of text.split(/\r?\n/)) {
    if (!PREFIX.test(raw)) continue;
    const line = raw.replace(PREFIX, '');
    // ffmpeg 5+: `"Name" (video)`; before: a "DirectShow video devices" heading, then `"Name"`.
    const tagged = /^"(.+)"\s+\((video|audio|none|video,audio|audio,video)\)\s*$/.exec(line);
    if (tagged) {
      if (tagged[2]!.includes('video')) names.push(tagged[1]!);
      continue;
    }
    if (/DirectShow video devices/.test(line)) legacyVideo = true;
    else if (/DirectShow audio devices/.test(line)) legacyVideo = false;
    else if (legacyVideo) {
      const plain = /^\s*"(.+)"\s*$/.exec(line);
      if (plain) names.push(plain[1]!);
    }
  }
  return names;
}

/** `pixel_format=yuyv422  min s=640x480 fps=5 max s=640x480 fps=30` / `vcodec=mjpeg ...` of `-list_options true`. */
export function parseDshowOptions(text: string): CameraMode[] {
  const modes: CameraMode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /(?:pixel_format|vcodec)=(\S+)\s+min s=(\d+)x(\d+) fps=([\d.]+)\s+max s=(\d+)x(\d+) fps=([\d.]+)/.exec(line);
    if (!m) continue;
    const [, format, , , minFps, w, h, maxFps] = m;
    const fps = [...new Set([Number(maxFps), Number(minFps)])].sort((a, b) => b - a);
    const same = modes.find((x) => x.pixelFormat === format && x.width === Number(w) && x.height === Number(h));
    if (same) same.fps = [...new Set([...same.fps, ...fps])].sort((a, b) => b - a);
    else modes.push({ pixelFormat: format!, width: Number(w), height: Number(h), fps });
  }
  return modes;
}

/** Video devices of `-f avfoundation -list_devices true -i ""`, without screen captures. */
export function parseAvfoundationDevices(text: string): { index: number; name: string }[] {
  const devices: { index: number; name: string }[] = [];
  let video = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(PREFIX, '');
    if (/AVFoundation video devices/.test(line)) video = true;
    else if (/AVFoundation audio devices/.test(line)) video = false;
    else if (video) {
      const m = /^\[(\d+)\]\s+(.+?)\s*$/.exec(line);
      if (m && !/^Capture screen/.test(m[2]!)) devices.push({ index: Number(m[1]), name: m[2]! });
    }
  }
  return devices;
}

/** `1920x1080@[1.000000 30.000000]fps` lines that avfoundation prints for a mode it refused. */
export function parseAvfoundationModes(text: string): CameraMode[] {
  const modes: CameraMode[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /(\d+)x(\d+)@\[([\d.]+)\s+([\d.]+)\]fps/.exec(line);
    if (!m) continue;
    const fps = [...new Set([Number(m[4]), Number(m[3])])].map((f) => Math.round(f * 1000) / 1000).sort((a, b) => b - a);
    // avfoundation hands over raw frames; ffmpeg picks the pixel format.
    modes.push({ pixelFormat: 'default', width: Number(m[1]), height: Number(m[2]), fps });
  }
  return modes;
}
