/**
 * Renders a page fitted inside a box for the image endpoint. Results are kept
 * in a small LRU keyed by page id and version, so a viewer scrolling back and
 * forth does not decode a 300 dpi page again, and an edited page (new version)
 * can never be served from an old entry. Keys start `<session>:<page>.`, so
 * that a removed or edited page, or a closed session, is forgotten at once
 * rather than held until the budget pushes it out. Identical requests that
 * arrive while a page is being rendered (a viewer's strip, several tabs)
 * wait for that render instead of each decoding the page again.
 */
import { sharp } from '../imaging/sharp.js';
import type { StoredImage } from '../buffer/types.js';

export interface RenderedImage {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

export class ImageRenderer {
  private readonly cache = new Map<string, RenderedImage>();
  private used = 0;
  private readonly pending = new Map<string, Promise<RenderedImage>>();
  /** Pages rendered since start (for tests: identical concurrent requests render once). */
  renders = 0;

  constructor(private readonly budgetBytes = 64 * 1024 * 1024) {}

  /** Drops every entry whose key starts with `prefix` (a session's, or one page's). */
  forget(prefix: string): void {
    // A render under way for a forgotten page still answers its callers, but is not kept.
    for (const key of this.pending.keys()) if (key.startsWith(prefix)) this.pending.delete(key);
    for (const [key, entry] of this.cache) {
      if (!key.startsWith(prefix)) continue;
      this.cache.delete(key);
      this.used -= entry.bytes.length;
    }
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.cache.size;
  }

  /** The kept rendering of `key` in this box, if there is one (marked as just used). */
  cached(key: string, width: number, height: number): RenderedImage | undefined {
    const cacheKey = `${key}:${width}x${height}`;
    const hit = this.cache.get(cacheKey);
    if (hit) {
      this.cache.delete(cacheKey);
      this.cache.set(cacheKey, hit);
    }
    return hit;
  }

  async render(key: string, load: () => Promise<StoredImage>, width: number, height: number): Promise<RenderedImage> {
    const hit = this.cached(key, width, height);
    if (hit) return hit;
    const cacheKey = `${key}:${width}x${height}`;
    const inFlight = this.pending.get(cacheKey);
    if (inFlight) return inFlight;
    const rendering = this.produce(load, width, height).then((rendered) => {
      if (this.pending.get(cacheKey) === rendering) this.keep(cacheKey, rendered);
      return rendered;
    });
    this.pending.set(cacheKey, rendering);
    try {
      return await rendering;
    } finally {
      if (this.pending.get(cacheKey) === rendering) this.pending.delete(cacheKey);
    }
  }

  private async produce(load: () => Promise<StoredImage>, width: number, height: number): Promise<RenderedImage> {
    const image = await load();
    this.renders++;
    // Line-art stays PNG (JPEG smears it); everything else is a small JPEG.
    const lineArt = image.bitDepth === 1;
    const pipeline = sharp(image.bytes).resize({ width, height, fit: 'inside', withoutEnlargement: true });
    const { data, info } = lineArt
      ? await pipeline.png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true })
      : await pipeline.jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
    return { bytes: data, contentType: lineArt ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
  }

  private keep(cacheKey: string, rendered: RenderedImage): void {
    this.cache.set(cacheKey, rendered);
    this.used += rendered.bytes.length;
    for (const [k, v] of this.cache) {
      if (this.used <= this.budgetBytes) break;
      this.cache.delete(k);
      this.used -= v.bytes.length;
    }
  }
}
