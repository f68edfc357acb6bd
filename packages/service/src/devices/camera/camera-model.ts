/**
 * What the camera driver knows about a camera: how ffmpeg opens it, the
 * frame formats it offers and its controls. Parsers of each platform's
 * listings fill these; capture and preview read them.
 */

/** One pixel format at one frame size, with the frame rates offered there. */
export interface CameraMode {
  /** ffmpeg's name of the format: `mjpeg`, `yuyv422`, `h264`, `nv12`... */
  pixelFormat: string;
  width: number;
  height: number;
  /** Frames per second offered at this size, highest first; empty when the listing does not say. */
  fps: number[];
}

/** How ffmpeg opens the camera: its input format (`-f`) and input name (`-i`). */
export type CameraInput =
  | { kind: 'v4l2'; node: string }
  | { kind: 'avfoundation'; index: number }
  | { kind: 'dshow'; name: string }
  /** A test stand-in: a video file played in a loop in real time, or a lavfi graph (TestCameras). */
  | { kind: 'file'; path: string }
  | { kind: 'lavfi'; graph: string };

/** A camera control (v4l2-ctl `--list-ctrls-menus`), e.g. brightness or focus_absolute. */
export interface CameraControl {
  name: string;
  type: 'int' | 'bool' | 'menu';
  min: number;
  max: number;
  step: number;
  default: number;
  value: number;
  /** Set by the camera itself right now (flags=inactive: an automatic mode drives it). */
  inactive: boolean;
  /** Menu entries by value. */
  menu: { value: number; label: string }[];
}

export interface Camera {
  /** `camera:<local id>`. */
  id: string;
  name: string;
  input: CameraInput;
}

/** Formats ffmpeg can hand over as JPEG without decoding: the camera's own frames. */
export const isMjpeg = (pixelFormat: string): boolean => pixelFormat === 'mjpeg';

/** Frame sizes as "WxH", each once, largest area first. */
export function sizesOf(modes: readonly CameraMode[]): string[] {
  const sizes = [...new Map(modes.map((m) => [`${m.width}x${m.height}`, m.width * m.height])).entries()];
  return sizes.sort((a, b) => b[1] - a[1]).map(([size]) => size);
}
