/**
 * The `autoRotate` scan setting: each page, as it arrives, is turned upright
 * when osd is sure of its orientation (a page too unsure to tell, or one
 * whose reading fails, stays as scanned). The turn is the RotateImages edit,
 * lossless for JPEG where the size allows, and makes a new page version.
 */
import { METHODS, type PageInfo } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { editPages } from '../../imaging/page-batch.js';
import { rotateEdit } from '../../imaging/edits/geometry.js';
import { chooseEngine } from './engine-choice.js';
import { sharedOcrPool, type OcrPool } from './worker-pool.js';
import type { Orientation } from './worker-protocol.js';

/** osd's orientation confidence from which a page is turned. */
export const MIN_TURN_CONFIDENCE = 1.5;

export async function autoRotatePage(buffer: ImageBuffer, info: PageInfo, pool: OcrPool = sharedOcrPool()): Promise<PageInfo> {
  const image = await buffer.getImage(info.id);
  const dpi = Math.round((info.xdpi + info.ydpi) / 2) || 300;
  const o = await pool.run<Orientation>({ kind: 'orientation', image: image.bytes, page: { width: info.width, height: info.height, dpi }, osd: chooseEngine(['osd']) });
  if (o.rotation === 0 || o.confidence < MIN_TURN_CONFIDENCE) return info;
  const params = METHODS.RotateImages.params.parse({ pages: [info.id], angle: o.rotation });
  const [done] = await editPages(buffer, { pages: [info.id] }, rotateEdit(params));
  return done!.info;
}
