/**
 * ffmpeg command lines for a camera: the input part per platform (v4l2,
 * avfoundation, dshow, or a test stand-in), then a still or a preview
 * stream. Both write `mpjpeg` to stdout so one reader splits the frames.
 * A still in MJPEG is copied (the camera's own JPEG, not re-encoded); other
 * formats are encoded to a high-quality JPEG once.
 */
import type { CameraInput } from './camera-model.js';
import { isMjpeg } from './camera-model.js';

export interface InputMode {
  /** ffmpeg's pixel format name; 'default' lets the input choose. */
  pixelFormat: string;
  width: number;
  height: number;
  /** 0: the camera's default rate. */
  fps: number;
}

export function inputArgs(input: CameraInput, mode: InputMode | null): string[] {
  const size = mode ? ['-video_size', `${mode.width}x${mode.height}`] : [];
  const rate = mode && mode.fps > 0 ? ['-framerate', String(mode.fps)] : [];
  const format = mode && mode.pixelFormat !== 'default' ? mode.pixelFormat : null;
  switch (input.kind) {
    case 'v4l2':
      return ['-f', 'v4l2', ...(format ? ['-input_format', format] : []), ...size, ...rate, '-i', input.node];
    case 'avfoundation':
      return ['-f', 'avfoundation', ...(format ? ['-pixel_format', format] : []), ...size, ...rate, '-i', `${input.index}:none`];
    case 'dshow':
      return ['-f', 'dshow', ...(format ? (isMjpeg(format) ? ['-vcodec', 'mjpeg'] : ['-pixel_format', format]) : []), ...size, ...rate, '-i', `video=${input.name}`];
    case 'file':
      // Played in real time, in a loop, as a camera delivers frames.
      return ['-re', '-stream_loop', '-1', '-i', input.path];
    case 'lavfi':
      return ['-re', '-f', 'lavfi', '-i', input.graph];
  }
}

/** Frames a camera sends before the still: the first ones of a UVC camera are often dark while exposure settles. */
export const WARMUP_FRAMES = 2;

export function stillArgs(input: CameraInput, mode: InputMode, warmup = WARMUP_FRAMES): string[] {
  const codec = isMjpeg(mode.pixelFormat) ? ['-c:v', 'copy'] : ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj444p'];
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputArgs(input, mode), '-an', '-frames:v', String(warmup + 1), ...codec, '-f', 'mpjpeg', 'pipe:1'];
}

export interface PreviewLimits {
  fps: number;
  /** The frame is fitted inside maxSide x maxSide, never enlarged. */
  maxSide: number;
  /** JPEG quality scale of ffmpeg's encoder: 2 (best) .. 31. */
  quality: number;
}

export function previewArgs(input: CameraInput, mode: InputMode | null, limits: PreviewLimits): string[] {
  const m = limits.maxSide;
  const filter = `fps=${limits.fps},scale=w='min(${m},iw)':h='min(${m},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2`;
  return ['-hide_banner', '-nostdin', '-loglevel', 'error', ...inputArgs(input, mode), '-an', '-vf', filter, '-c:v', 'mjpeg', '-q:v', String(limits.quality), '-pix_fmt', 'yuvj420p', '-f', 'mpjpeg', 'pipe:1'];
}
