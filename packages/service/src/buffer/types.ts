/** What the image buffer stores for one page version. */
import type { ColorMode } from '@scanbridge/protocol';

export interface StoredImage {
  format: 'png' | 'jpeg';
  bytes: Buffer;
  width: number;
  height: number;
  xdpi: number;
  ydpi: number;
  mode: ColorMode;
  bitDepth: number;
}

/**
 * A page of a load whose check may still be running (a JPEG stored as it is
 * is decoded once only to prove it whole): `whole` settles when it has, and
 * a rejection (the load's error) refuses the page. The buffer writes the
 * page file meanwhile and adds nothing before `whole` has resolved.
 */
export interface PendingImage extends StoredImage {
  whole?: Promise<void> | undefined;
}
