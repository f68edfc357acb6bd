/**
 * ReadBarcodes on a session's buffer: every page and the region are checked
 * before any reading starts; results are kept per page version and options,
 * so reading an unchanged page again costs nothing and an edited page (a new
 * version) is read again.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { PageBarcodes, PageInfo } from '@scanbridge/protocol';
import type { ImageBuffer } from '../../buffer/image-buffer.js';
import { targetIds, type PageTarget } from '../../buffer/page-targets.js';
import { toScanbridgeError } from '../../jobs/job-manager.js';
import { greyPixels, readPixels, regionPixels, type PageRead, type ReadOptions } from './read-page.js';
import { sharedBarcodePool, type BarcodePool } from './worker-pool.js';

const MAX_CACHED = 2000;
const caches = new WeakMap<ImageBuffer, Map<string, PageRead>>();

function cacheOf(buffer: ImageBuffer): Map<string, PageRead> {
  let cache = caches.get(buffer);
  if (!cache) caches.set(buffer, (cache = new Map()));
  return cache;
}

const optionsKey = (o: ReadOptions): string =>
  JSON.stringify([o.formats ? [...o.formats].sort() : 'all', o.region ?? null, o.maxSymbols, o.tryHarder, o.tryRotate, o.tryInvert]);


/** Reads one page of the buffer (cached per version and options). */
export async function readBufferPage(buffer: ImageBuffer, info: PageInfo, options: ReadOptions, pool: BarcodePool = sharedBarcodePool()): Promise<PageRead> {
  const key = `${info.id}\u0000${info.version}\u0000${optionsKey(options)}`;
  const cache = cacheOf(buffer);
  const hit = cache.get(key);
  if (hit) return hit;
  const area = regionPixels(options.region, info.width, info.height, `page ${info.index} (id ${info.id})`);
  const image = await buffer.getImage(info.id);
  const whole = area.left === 0 && area.top === 0 && area.width === info.width && area.height === info.height;
  const read = await readPixels(pool, await greyPixels(image.bytes, whole ? undefined : area), area, options, info.id, { xdpi: info.xdpi, ydpi: info.ydpi });
  // A page cut short by its timeout is read again next time.
  if (!read.timedOut) {
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value!);
    cache.set(key, read);
  }
  return read;
}

export async function readBufferPages(buffer: ImageBuffer, target: PageTarget & ReadOptions, pool?: BarcodePool): Promise<PageBarcodes[]> {
  const infos = targetIds(buffer, target).map((id) => buffer.info(id));
  // Every page is checked before any is read: a bad region fails the call at once.
  for (const info of infos) regionPixels(target.region, info.width, info.height, `page ${info.index} (id ${info.id})`);
  const readers = pool ?? sharedBarcodePool();
  const results: PageBarcodes[] = new Array(infos.length);
  // Two pages a thread in flight: one read, the next decoded meanwhile; never the whole batch in memory.
  let next = 0;
  const lane = async () => {
    while (next < infos.length) {
      const i = next++;
      const info = infos[i]!;
      try {
        const read = await readBufferPage(buffer, info, target, readers);
        results[i] = { page: info.id, index: info.index, version: info.version, ...read };
      } catch (err) {
        const e = toScanbridgeError(err);
        throw new ScanbridgeError(e.code, `Page ${info.index} (id ${info.id}): ${e.message}`, { ...e.details, page: info.id, index: info.index }, { cause: err });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(infos.length, readers.size * 2) }, lane));
  return results;
}
