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
