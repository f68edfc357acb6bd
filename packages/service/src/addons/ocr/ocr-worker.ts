/**
 * An OCR thread of the pool (worker-pool.ts), one page at a time: it makes
 * the working copy (region cut out, huge pages scaled down, turned upright,
 * deskewed), has Tesseract read it and maps every box back to the stored
 * page. All of it off the service's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { sharp } from '../../imaging/sharp.js';
import { skewOfGrey, WORKING_DPI as SKEW_DPI } from '../../imaging/analysis/skew.js';
import { CliEngine, JsEngine, pgm } from './engines.js';
import { boxToPage, type WorkingTransform } from './geometry.js';
import { parseTsv } from './tsv.js';
import { collectGarbage } from '../../util/memory-upkeep.js';
import type { EngineChoice, Orientation, OrientationTask, RecognizeTask, RecognizedPage, WorkerReply, WorkerTask } from './worker-protocol.js';

/** Tesseract's own limit is far higher, but memory is not: larger pages are read scaled down. */
export const MAX_WORK_PIXELS = 40_000_000;
/**
 * Tesseract refuses an image with a side above 32767 pixels ("Image too
 * large"); a longer page is read scaled down to this, which leaves room for
 * the canvas the deskew rotation grows (up to 1.16x at 10 degrees).
 */
export const MAX_WORK_SIDE = 28_000;
/** Tesseract reads best near 300 dpi; finer scans are read at this resolution. */
const MAX_WORK_DPI = 400;
/** Below these the skew is left alone (too small to matter, or not measured with confidence). */
const MIN_SKEW = 0.1;
const MIN_SKEW_CONFIDENCE = 0.2;
/** A first reading this sure of itself is upright; anything less asks osd. */
const UPRIGHT_CONFIDENCE = 70;
/** osd's orientation confidence below which a page is left as it is. */
const MIN_ORIENTATION_CONFIDENCE = 1.5;

const js = new JsEngine();

interface Grey {
  data: Buffer;
  width: number;
  height: number;
}

async function raw(s: ReturnType<typeof sharp>): Promise<Grey> {
  const { data, info } = await s.toColourspace('b-w').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
const fromGrey = (g: Grey) => sharp(g.data, { raw: { width: g.width, height: g.height, channels: 1 } });

function workScale(width: number, height: number, dpi: number, maxDpi = MAX_WORK_DPI): number {
  return Math.min(1, maxDpi / dpi, Math.sqrt(MAX_WORK_PIXELS / (width * height)), MAX_WORK_SIDE / Math.max(width, height));
}

async function working(image: Uint8Array, page: RecognizeTask['page'], area: RecognizeTask['area']): Promise<{ grey: Grey; scale: number }> {
  let s = sharp(image, { limitInputPixels: false }).removeAlpha().greyscale();
  const whole = area.left === 0 && area.top === 0 && area.width === page.width && area.height === page.height;
  if (!whole) s = s.extract(area);
  const scale = workScale(area.width, area.height, page.dpi);
  if (scale < 1) s = s.resize(Math.max(1, Math.round(area.width * scale)), Math.max(1, Math.round(area.height * scale)), { kernel: 'lanczos3' });
  return { grey: await raw(s), scale };
}

function engineRead(choice: EngineChoice, work: Grey, dpi: number, languages: string[], psm: number): Promise<string> {
  const image = pgm(work.data, work.width, work.height);
  return choice.engine === 'tesseract' ? CliEngine.recognize(choice, image, dpi, languages, psm) : js.recognize(choice, image, dpi, languages, psm);
}

function orientationOf(choice: EngineChoice, g: Grey, dpi: number): Promise<Orientation> {
  const image = pgm(g.data, g.width, g.height);
  return choice.engine === 'tesseract' ? CliEngine.orientation(choice, image, dpi) : js.orientation(choice, image);
}

async function readTurned(task: RecognizeTask, grey: Grey, scale: number, rotation: Orientation['rotation']): Promise<RecognizedPage> {
  const dpi = task.page.dpi * scale;
  const turned = rotation ? await raw(fromGrey(grey).rotate(rotation)) : grey;
  let angle = 0;
  if (task.deskew) {
    // The skew is measured at 150 dpi (skew.ts) on the grey copy scaled down here, raw: no image is encoded and decoded again.
    const k = Math.min(1, SKEW_DPI / dpi);
    const small = k < 1 ? await raw(fromGrey(turned).resize(Math.max(1, Math.round(turned.width * k)), Math.max(1, Math.round(turned.height * k)))) : turned;
    const skew = skewOfGrey(small, 10);
    if (Math.abs(skew.angle) >= MIN_SKEW && skew.confidence >= MIN_SKEW_CONFIDENCE) angle = -skew.angle;
  }
  const work = angle ? await raw(fromGrey(turned).rotate(angle, { background: { r: 255, g: 255, b: 255 } })) : turned;
  const transform: WorkingTransform = {
    ...task.area,
    scale,
    rotation,
    angle,
    turnedWidth: turned.width,
    turnedHeight: turned.height,
    workWidth: work.width,
    workHeight: work.height,
  };
  const tsv = await engineRead(task.choice, work, dpi, task.languages, task.psm);
  const page = parseTsv(tsv, (b) => boxToPage(transform, b));
  return { ...page, rotation, skew: -angle, scale, transform };
}

async function recognize(task: RecognizeTask): Promise<RecognizedPage> {
  const { grey, scale } = await working(task.image, task.page, task.area);
  const first = await readTurned(task, grey, scale, 0);
  if (!task.orient || !task.osd) return first;
  const words = first.blocks.reduce((n, b) => n + b.lines.reduce((m, l) => m + l.words.length, 0), 0);
  if (first.confidence >= UPRIGHT_CONFIDENCE && words >= 3) return first;
  const o = await orientationOf(task.osd, grey, task.page.dpi * scale);
  if (o.rotation === 0 || o.confidence < MIN_ORIENTATION_CONFIDENCE) return first;
  const turned = await readTurned(task, grey, scale, o.rotation);
  return turned.confidence > first.confidence ? turned : first;
}

async function orientation(task: OrientationTask): Promise<Orientation> {
  const scale = workScale(task.page.width, task.page.height, task.page.dpi, 300);
  let s = sharp(task.image, { limitInputPixels: false }).removeAlpha().greyscale();
  if (scale < 1) s = s.resize(Math.max(1, Math.round(task.page.width * scale)));
  return orientationOf(task.osd, await raw(s), task.page.dpi * scale);
}

parentPort!.on('message', (task: WorkerTask) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      const result = task.kind === 'recognize' ? await recognize(task) : await orientation(task);
      reply = { id: task.id, ok: true, result };
    } catch (err) {
      reply = { id: task.id, ok: false, message: err instanceof Error ? err.message : String(err), ...(err instanceof ScanbridgeError ? { code: err.code } : {}) };
    }
    parentPort!.postMessage(reply);
    // Each page leaves page-sized copies (its grey pixels from libvips, the PGM for Tesseract) outside this
    // thread's small heap, which otherwise collects them only every few dozen pages: 20-60 MB resident that
    // came and went with no leak, and swung a batch's memory by as much. A major GC of this heap is a few ms.
    await collectGarbage();
  })();
});
