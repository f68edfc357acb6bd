/**
 * A document photographed on a desk, made from the demo scanner's page: the
 * page warped in perspective onto a darker desk with noise and uneven light
 * (ffmpeg's perspective, noise and vignette filters), then played as a
 * camera would send it: an MJPEG video for TestCameras, a Y4M file for
 * Chromium's fake capture device.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanSettings } from '@scanbridge/protocol';
import { DemoDriver } from '../devices/demo/demo-driver.js';
import type { AcquiredPage } from '../devices/driver.js';

const run = promisify(execFile);

export type Point = [number, number];

export interface DeskPhoto {
  /** PNG of the photo. */
  path: string;
  width: number;
  height: number;
  /** Where the page's corners are in the photo: top-left, top-right, bottom-right, bottom-left. */
  corners: [Point, Point, Point, Point];
}

async function demoPage(dpi: number): Promise<Buffer> {
  let png: Buffer | null = null;
  const sink = {
    async page(page: AcquiredPage) {
      if (page.kind === 'encoded') png = page.bytes;
    },
    progress() {},
  };
  await new DemoDriver({ feederSheets: 1 }).scan('demo:flatbed', ScanSettings.parse({ dpi, mode: 'color' }), sink, new AbortController().signal);
  if (!png) throw new Error('the demo scanner delivered no page');
  return png;
}

/**
 * Where an A4 sheet's corners land in a photo taken by a pinhole camera
 * looking down at the desk: the sheet turned on the desk by `turnDeg` and
 * the desk tilted away by `tiltDeg`, filling about 70 % of the frame's
 * height. A physically possible view, so the corrected page has A4's shape.
 */
export function projectPage(width: number, height: number, view: { tiltDeg: number; turnDeg: number }): DeskPhoto['corners'] {
  const tilt = (view.tiltDeg * Math.PI) / 180;
  const turn = (view.turnDeg * Math.PI) / 180;
  const distance = 600;
  const focal = (0.7 * height * distance) / (297 * Math.cos(tilt));
  const corner = (x: number, y: number): Point => {
    // Turned on the desk, then the desk tilted about the horizontal axis (top edge away from the camera).
    const xr = x * Math.cos(turn) - y * Math.sin(turn);
    const yr = x * Math.sin(turn) + y * Math.cos(turn);
    const Y = yr * Math.cos(tilt);
    const Z = distance - yr * Math.sin(tilt);
    return [Math.round(width / 2 + (focal * xr) / Z), Math.round(height / 2 + (focal * Y) / Z)];
  };
  return [corner(-105, -148.5), corner(105, -148.5), corner(105, 148.5), corner(-105, 148.5)];
}

/** The demo page on a desk, photographed at an angle (projectPage). */
export async function deskPhoto(dir: string, width: number, height: number): Promise<DeskPhoto> {
  const pageFile = path.join(dir, `page-${height}.png`);
  const need = (height * 0.85) / 11.69;
  // The demo scanner's resolutions; ffmpeg scales the page into the photo.
  await writeFile(pageFile, await demoPage([75, 100, 150, 200, 300].find((d) => d >= need) ?? 300));
  const corners = projectPage(width, height, { tiltDeg: 25, turnDeg: 6 });
  const [tl, tr, br, bl] = corners;
  const quad = [tl, tr, bl, br].map(([x, y]) => `${x}:${y}`).join(':');
  const out = path.join(dir, `desk-${width}x${height}.png`);
  const graph = `[1]format=rgba,pad=iw+8:ih+8:4:4:color=black@0,scale=${width}:${height},perspective=${quad}:sense=destination:interpolation=cubic[p];[0][p]overlay=format=auto`;
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i', `color=c=0x6b4a2f:s=${width}x${height},noise=alls=10:allf=t,vignette=PI/5`, '-i', pageFile, '-filter_complex', graph, '-frames:v', '1', '-y', out]);
  return { path: out, width, height, corners };
}

/** An MJPEG video of the photo (each frame a JPEG, as a UVC camera sends them), for TestCameras. */
export async function mjpegVideo(photo: string, out: string, options: { fps?: number; seconds?: number } = {}): Promise<string> {
  const fps = options.fps ?? 15;
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-loop', '1', '-framerate', String(fps), '-i', photo, '-t', String(options.seconds ?? 2), '-c:v', 'mjpeg', '-q:v', '3', '-pix_fmt', 'yuvj420p', '-y', out]);
  return out;
}

/** A Y4M video of the photo for Chromium's --use-file-for-fake-video-capture. */
export async function y4mVideo(photo: string, out: string, options: { fps?: number; seconds?: number } = {}): Promise<string> {
  await run('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-loop', '1', '-framerate', String(options.fps ?? 10), '-i', photo, '-t', String(options.seconds ?? 1), '-pix_fmt', 'yuv420p', '-y', out]);
  return out;
}
