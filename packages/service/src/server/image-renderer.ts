/**
 * Renders a page fitted inside a box for the image endpoint. Results are kept
 * in a small LRU keyed by page id and version, so a viewer scrolling back and
 * forth does not decode a 300 dpi page again, and an edited page (new version)
 * can never be served from an old entry. Keys start `<session>:<page>.`, so
 * that a removed or edited page, or a closed session, is forgotten at once
 * rather than held until the budget pushes it out. Identical requests that
 * arrive while a page is being rendered (a viewer's strip, several tabs)
 * wait for that render instead of each decoding the page again. A scanned
 * page comes with its thumbnail (`prepare`, imaging/page-preview.ts): a box
 * it fits is answered from that, never from the stored page.
 */
import { sharp } from '../imaging/sharp.js';
import type { StoredImage } from '../buffer/types.js';
import { type PagePreview, fittedSize } from '../imaging/page-preview.js';

export interface RenderedImage {
  bytes: Buffer;
  contentType: 'image/jpeg' | 'image/png';
  width: number;
  height: number;
}

/** A page lent for the time of one render (ImageBuffer.leaseImage): its bytes go back once the thumbnail is made. */
export interface LeasedPage {
  image: StoredImage;
  release(): void;
}

export class ImageRenderer {
  private readonly cache = new Map<string, RenderedImage>();
  private used = 0;
  private readonly pending = new Map<string, Promise<RenderedImage>>();
  /** Pages (by render key) whose prepared thumbnail is in the cache as `<key>:prepared`, with the page's size. */
  private readonly prepared = new Map<string, { page: { width: number; height: number } }>();
  /** Pages rendered since start (for tests: identical concurrent requests render once). */
  renders = 0;

  constructor(private readonly budgetBytes = 64 * 1024 * 1024) {}

  /** Drops every entry whose key starts with `prefix` (a session's, or one page's). */
  forget(prefix: string): void {
    // A render under way for a forgotten page still answers its callers, but is not kept.
    for (const key of this.pending.keys()) if (key.startsWith(prefix)) this.pending.delete(key);
    for (const key of this.prepared.keys()) if (key.startsWith(prefix)) this.prepared.delete(key);
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

  /** A page's thumbnail made at ingest; `key` as render's. Kept and forgotten as rendered entries are. */
  prepare(key: string, preview: PagePreview): void {
    // Only a thumbnail of the size a render would give (the same fit) may stand in for one.
    const { width, height } = fittedSize(preview.pageWidth, preview.pageHeight, { width: preview.width, height: preview.height });
    if (width !== preview.width || height !== preview.height) return;
    this.keep(`${key}:prepared`, { bytes: preview.bytes, contentType: 'image/jpeg', width: preview.width, height: preview.height });
    this.prepared.set(key, { page: { width: preview.pageWidth, height: preview.pageHeight } });
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

  /**
   * `load` gives the page, or a lease of it: a page read back from the disk
   * cache then comes in the page reader's reused slot (no buffer of its size
   * per thumbnail) and goes back as soon as the thumbnail is made.
   */
  async render(key: string, load: () => Promise<StoredImage | LeasedPage>, width: number, height: number): Promise<RenderedImage> {
    const hit = this.cached(key, width, height);
    if (hit) return hit;
    const cacheKey = `${key}:${width}x${height}`;
    const inFlight = this.pending.get(cacheKey);
    if (inFlight) return inFlight;
    const fromPreview = this.fromPreview(key, width, height);
    if (fromPreview) return fromPreview;
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

  /** The prepared thumbnail when the box fits the page into it, or a smaller one made from it; null when the box needs the page. */
  private fromPreview(key: string, width: number, height: number): Promise<RenderedImage> | RenderedImage | null {
    const prepared = this.prepared.get(key);
    const preview = this.cache.get(`${key}:prepared`);
    if (!prepared || !preview) return null;
    const fitted = fittedSize(prepared.page.width, prepared.page.height, { width, height });
    if (fitted.width > preview.width || fitted.height > preview.height) return null;
    const cacheKey = `${key}:${width}x${height}`;
    if (fitted.width === preview.width && fitted.height === preview.height) {
      this.keep(cacheKey, preview);
      return preview;
    }
    const rendering = sharp(preview.bytes)
      .resize({ width: fitted.width, height: fitted.height, fit: 'fill' })
      .jpeg({ quality: 85 })
      .toBuffer({ resolveWithObject: true })
      .then(({ data, info }): RenderedImage => {
        const rendered: RenderedImage = { bytes: data, contentType: 'image/jpeg', width: info.width, height: info.height };
        if (this.pending.get(cacheKey) === rendering) this.keep(cacheKey, rendered);
        return rendered;
      })
      .finally(() => {
        if (this.pending.get(cacheKey) === rendering) this.pending.delete(cacheKey);
      });
    this.pending.set(cacheKey, rendering);
    return rendering;
  }

  private async produce(load: () => Promise<StoredImage | LeasedPage>, width: number, height: number): Promise<RenderedImage> {
    const loaded = await load();
    const { image, release } = 'image' in loaded ? loaded : { image: loaded, release: undefined };
    try {
      this.renders++;
      // Line-art stays PNG (JPEG smears it); everything else is a small JPEG.
      const lineArt = image.bitDepth === 1;
      const pipeline = sharp(image.bytes).resize({ width, height, fit: 'inside', withoutEnlargement: true });
      const { data, info } = lineArt
        ? await pipeline.png({ compressionLevel: 3 }).toBuffer({ resolveWithObject: true })
        : await pipeline.jpeg({ quality: 85 }).toBuffer({ resolveWithObject: true });
      return { bytes: data, contentType: lineArt ? 'image/png' : 'image/jpeg', width: info.width, height: info.height };
    } finally {
      // libvips is done with the page's bytes once the thumbnail is made (or failed).
      release?.();
    }
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
