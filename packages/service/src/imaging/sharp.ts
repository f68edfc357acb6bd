/**
 * sharp (libvips), loaded when an image is first touched rather than when the
 * service starts: loading it costs about 0.1 s and 25 MB resident, and a
 * service that only lists devices, or is idle all day, never needs it.
 *
 * Modules import `sharp` from here instead of from 'sharp'. The export is a
 * stand-in with sharp's exact type that loads the real module on the first
 * call or property read, synchronously (sharp is CommonJS), so call sites stay
 * `sharp(input).resize(...)` and need not become async.
 */
import { createRequire } from 'node:module';
import type Sharp from 'sharp';
import { tuneMalloc } from '../util/malloc-tuning.js';

type SharpModule = typeof Sharp;

const require = createRequire(import.meta.url);
let loaded: SharpModule | undefined;

function load(): SharpModule {
  if (!loaded) {
    // Before libvips starts its threads: they take their malloc arenas as they start.
    tuneMalloc();
    loaded = require('sharp') as SharpModule;
    // Pages are decoded once and never from the same file again: libvips'
    // operation cache would only hold their memory.
    loaded.cache(false);
  }
  return loaded;
}

/**
 * What a page-sized JPEG is encoded with: the standard Huffman tables rather
 * than tables computed for the image (sharp's default `optimiseCoding`), as
 * scanimage, cjpeg and most scanning software write them. Measured on A4 300
 * dpi colour pages (this project's 2-core machine): computed tables took
 * 196-297 ms of CPU a page against 53-98 ms, for files 2-11 % smaller
 * (libjpeg-turbo's own cjpeg: 100 against 52 ms, the same sizes), and were
 * most of a scan saved as PDF (issue 12.1). A progressive JPEG computes its
 * tables whatever this says. A mixed-raster PDF page's background (half the
 * resolution, a quarter of the pixels) keeps computed tables: it is the
 * default PDF compression, sized for e-mail and archives, and its encode
 * costs a quarter as much.
 */
export const PAGE_JPEG = { optimiseCoding: false } as const;

/** Whether an image has been touched yet (sharp is loaded). */
export const sharpLoaded = (): boolean => loaded !== undefined;

export const sharp: SharpModule = new Proxy(function lazySharp() {} as unknown as SharpModule, {
  apply: (_target, _this, args: unknown[]) => Reflect.apply(load(), undefined, args),
  get: (_target, property) => Reflect.get(load(), property),
});
