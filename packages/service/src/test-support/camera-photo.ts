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

/** The page fills about 80 % of the frame's height, tilted back and turned a little. */
export async function deskPhoto(dir: string, width: number, height: number): Promise<DeskPhoto> {
  const pageFile = path.join(dir, `page-${height}.png`);
  const need = (height * 0.85) / 11.69;
  // The demo scanner's resolutions; ffmpeg scales the page into the photo.
  await writeFile(pageFile, await demoPage([75, 100, 150, 200, 300].find((d) => d >= need) ?? 300));
  const at = (x: number, y: number): Point => [Math.round(x * width), Math.round(y * height)];
  // The far edge (top) is shorter: the camera looks down at an angle.
  const corners: DeskPhoto['corners'] = [at(0.33, 0.12), at(0.66, 0.09), at(0.76, 0.93), at(0.24, 0.9)];
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
