/**
 * Recognize and DetectOrientation on a session's buffer. Every page, the
 * region and the languages are checked before any page is read; pages go to
 * the pool two per thread at a time (one read, the next one's bytes on
 * their way), never the whole batch in memory. Results are kept per page
 * version and options (result-cache.ts), so an unchanged page is not read
 * again and an edited one (a new version) is.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { OcrPage, PageInfo, PageOrientation, PageText, OcrOutput, BarcodeRegion } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { targetIds, type PageTarget } from '../../buffer/page-targets.js';
import { toScanbridgeError } from '../../jobs/job-manager.js';
import { regionPixels } from '../barcode/read-page.js';
import { chooseEngine, forcedEngine, systemTesseract } from './engine-choice.js';
import { checkLanguages } from './languages.js';
import { pageOutputs } from './outputs.js';
import { OcrResultCache } from './result-cache.js';
import { sharedOcrPool, type OcrPool } from './worker-pool.js';
import type { Orientation, RecognizedPage } from './worker-protocol.js';

export interface RecognizeOptions {
  languages: string[];
  psm: number;
  region?: BarcodeRegion | undefined;
  output: OcrOutput[];
  orient: boolean;
  deskew: boolean;
}

export interface PageDone {
  page: string;
  index: number;
  done: number;
  total: number;
}

/** The service's results, per page version and options. */
export const ocrResults = new OcrResultCache();

const dpiOf = (info: Pick<PageInfo, 'xdpi' | 'ydpi'>): number => Math.round((info.xdpi + info.ydpi) / 2) || 300;

/** Recognises one stored image (not necessarily in a buffer): the page model in its pixels. */
export async function recognizeImage(
  pool: OcrPool,
  image: { bytes: Uint8Array; width: number; height: number; xdpi: number; ydpi: number },
  pageId: string,
  options: Omit<RecognizeOptions, 'output'>,
  signal?: AbortSignal,
): Promise<OcrPage> {
  const languages = checkLanguages(options.languages, systemTesseract()?.tessdata);
  const area = regionPixels(options.region, image.width, image.height, `page ${pageId}`);
  const choice = chooseEngine(languages);
  const osd = options.orient ? chooseEngine(['osd']) : null;
  const dpi = dpiOf(image);
  const r = await pool.run<RecognizedPage>(
    { kind: 'recognize', image: image.bytes, page: { width: image.width, height: image.height, dpi }, area, languages, psm: options.psm, orient: options.orient, deskew: options.deskew, choice, osd },
    signal,
  );
  return {
    pageId,
    width: image.width,
    height: image.height,
    dpi,
    languages,
    rotation: r.rotation,
    skew: Math.round(r.skew * 1000) / 1000,
    confidence: r.confidence,
    text: r.text,
    blocks: r.blocks,
    engine: choice.engine,
  };
}

const optionsKey = (o: RecognizeOptions): string => JSON.stringify([o.languages, o.psm, o.region ?? null, o.orient, o.deskew, forcedEngine() ?? 'auto']);

/** One page of the buffer, cached per version and options. */
export async function recognizeBufferPage(buffer: ImageBuffer, info: PageInfo, options: RecognizeOptions, pool: OcrPool = sharedOcrPool(), signal?: AbortSignal): Promise<OcrPage> {
  const key = optionsKey(options);
  const hit = ocrResults.get(buffer, info.id, info.version, key);
  if (hit) return hit;
  const image = await buffer.getImage(info.id);
  const page = await recognizeImage(pool, { ...image, bytes: image.bytes }, info.id, options, signal);
  ocrResults.set(buffer, info.id, info.version, key, page);
  return page;
}

/** Runs `each` over the pages, two per pool thread at a time; a failure names its page. */
async function lanes<T>(infos: PageInfo[], width: number, each: (info: PageInfo) => Promise<T>, onDone?: (d: PageDone) => void): Promise<T[]> {
  const results: T[] = new Array(infos.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < infos.length) {
      const i = next++;
      const info = infos[i]!;
      try {
        results[i] = await each(info);
      } catch (err) {
        const e = toScanbridgeError(err);
        throw new ScanbridgeError(e.code, `Page ${info.index} (id ${info.id}): ${e.message}`, { ...e.details, page: info.id, index: info.index }, { cause: err });
      }
      onDone?.({ page: info.id, index: info.index, done: ++done, total: infos.length });
    }
  };
  await Promise.all(Array.from({ length: Math.min(infos.length, width * 2) }, lane));
  return results;
}

export async function recognizeBufferPages(
  buffer: ImageBuffer,
  params: PageTarget & RecognizeOptions,
  opts: { pool?: OcrPool; onPage?: (d: PageDone) => void; signal?: AbortSignal | undefined } = {},
): Promise<PageText[]> {
  const infos = targetIds(buffer, params).map((id) => buffer.info(id));
  // Everything is checked before any page is read: a bad region or language fails the call at once.
  checkLanguages(params.languages, systemTesseract()?.tessdata);
  for (const info of infos) regionPixels(params.region, info.width, info.height, `page ${info.index} (id ${info.id})`);
  const pool = opts.pool ?? sharedOcrPool();
  return lanes(
    infos,
    pool.size,
    async (info) => {
      const page = await recognizeBufferPage(buffer, info, params, pool, opts.signal);
      return { page: info.id, index: info.index, version: info.version, ...pageOutputs(page, params.output) };
    },
    opts.onPage,
  );
}

export async function detectBufferOrientation(buffer: ImageBuffer, target: PageTarget, opts: { pool?: OcrPool; onPage?: (d: PageDone) => void; signal?: AbortSignal | undefined } = {}): Promise<PageOrientation[]> {
  const infos = targetIds(buffer, target).map((id) => buffer.info(id));
  const osd = chooseEngine(['osd']);
  const pool = opts.pool ?? sharedOcrPool();
  return lanes(
    infos,
    pool.size,
    async (info) => {
      const image = await buffer.getImage(info.id);
      const o = await pool.run<Orientation>({ kind: 'orientation', image: image.bytes, page: { width: info.width, height: info.height, dpi: dpiOf(info) }, osd }, opts.signal);
      return { page: info.id, index: info.index, version: info.version, ...o };
    },
    opts.onPage,
  );
}
