/**
 * The working copy OCR reads is the stored page (or a region of it) scaled,
 * turned by a quarter turn and deskewed; boxes found on it are mapped back
 * to pixels of the stored page here, so every output places words on the
 * page as it is stored.
 */
import type { OcrBox } from '@scanbridge/protocol';

export interface WorkingTransform {
  /** Region of the stored page that was read (page pixels). */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Working pixels per page pixel (below 1 when a huge page was scaled down). */
  scale: number;
  /** Clockwise quarter turn applied after scaling. */
  rotation: 0 | 90 | 180 | 270;
  /** Clockwise degrees the turned copy was then rotated (minus the skew), about its centre, canvas grown to fit. */
  angle: number;
  /** Size of the turned copy before the small rotation, and of the final working image. */
  turnedWidth: number;
  turnedHeight: number;
  workWidth: number;
  workHeight: number;
}

const DEG = Math.PI / 180;

/** Size of a `w` x `h` image rotated by `angle` degrees on a canvas grown to hold it (as sharp does). */
export function rotatedSize(w: number, h: number, angle: number): { width: number; height: number } {
  const c = Math.abs(Math.cos(angle * DEG));
  const s = Math.abs(Math.sin(angle * DEG));
  return { width: Math.round(w * c + h * s), height: Math.round(w * s + h * c) };
}

/** A point of the working image back in stored-page pixels. */
export function toPage(t: WorkingTransform, x: number, y: number): [number, number] {
  // Undo the small rotation about the centres.
  const dx = x - t.workWidth / 2;
  const dy = y - t.workHeight / 2;
  const c = Math.cos(-t.angle * DEG);
  const s = Math.sin(-t.angle * DEG);
  const u = t.turnedWidth / 2 + dx * c - dy * s;
  const v = t.turnedHeight / 2 + dx * s + dy * c;
  // Undo the quarter turn (sizes before it: scaled region).
  const sw = t.rotation === 90 || t.rotation === 270 ? t.turnedHeight : t.turnedWidth;
  const sh = t.rotation === 90 || t.rotation === 270 ? t.turnedWidth : t.turnedHeight;
  let px: number;
  let py: number;
  if (t.rotation === 90) [px, py] = [v, sh - u];
  else if (t.rotation === 180) [px, py] = [sw - u, sh - v];
  else if (t.rotation === 270) [px, py] = [sw - v, u];
  else [px, py] = [u, v];
  return [t.left + px / t.scale, t.top + py / t.scale];
}

/** A working-image box as the smallest page box holding its four corners, within the region read. */
export function boxToPage(t: WorkingTransform, b: OcrBox): OcrBox {
  const corners = [toPage(t, b[0], b[1]), toPage(t, b[2], b[1]), toPage(t, b[2], b[3]), toPage(t, b[0], b[3])];
  const xs = corners.map((c) => c[0]);
  const ys = corners.map((c) => c[1]);
  const clampX = (v: number) => Math.max(t.left, Math.min(t.left + t.width, v));
  const clampY = (v: number) => Math.max(t.top, Math.min(t.top + t.height, v));
  return [Math.floor(clampX(Math.min(...xs))), Math.floor(clampY(Math.min(...ys))), Math.ceil(clampX(Math.max(...xs))), Math.ceil(clampY(Math.max(...ys)))];
}
