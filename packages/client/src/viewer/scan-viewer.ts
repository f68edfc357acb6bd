/**
 * <scan-viewer>: the pages of a client's buffer as a thumbnail strip (or
 * grid, `layout="grid"`) and a large view of the current page. No framework:
 * a custom element with a shadow root, so it works in plain pages, React and
 * Vue alike.
 *
 * - Thumbnails are fetched at device-pixel size through the image endpoint,
 *   only when they scroll into view (IntersectionObserver); a request for a
 *   thumbnail that leaves the view before it loaded is dropped, so a fast
 *   scroll through 500 pages does not queue 500 renders.
 * - The list follows the buffer's events (pages arriving from a scan, edits,
 *   moves, deletions) and reloads itself after the client reconnects.
 * - Select (click, Shift-click, Ctrl/Cmd-click, Ctrl+A), reorder (drag and
 *   drop, Alt+arrows), delete (Delete), rotate (R, Shift+R), navigate
 *   (arrows, Home, End); a listbox with aria-selected options and a live
 *   region that announces changes.
 *
 * - showCamera() puts a camera's live picture over the large page with a
 *   Capture button (camera-panel.ts).
 * - Codes: with the `barcodes` attribute, the codes found on the shown page
 *   (read while scanning, in PageInfo.barcodes, or given with
 *   showBarcodes() from client.readBarcodes()) are outlined on the large
 *   page by their four corners, named by format and text.
 * - Documents (GetDocuments): the last page of each document is marked
 *   (`doc-end`, and "end of document <code>" in its label), the first is
 *   `doc-start`.
 *
 * Events (bubbling, composed): `selectionchange` {ids}, `currentchange`
 * {page}, `pageschange` {pages}, `capture` {job}, `scanbridge-error` {error}. Failures never
 * escape as unhandled rejections: they become `scanbridge-error` events and an
 * announcement.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { BarcodeResult, DocumentInfo, OcrPage, PageBarcodes, PageInfo, ParamsOf } from '@scanbridge/protocol';
import type { ScanbridgeClient } from '../client.js';
import { editCorners } from './corner-editor.js';
import { dropIndex, inOrder, pick } from './selection.js';
import { VIEWER_STYLE } from './viewer-style.js';
import { CAMERA_STYLE, CameraPanel, type CameraSource } from './camera-panel.js';
import type { ScanJob } from '../scan-job.js';

/** Ratio of the thumbnail box (portrait paper). */
const THUMB_RATIO = 1.414;
const DRAG_TYPE = 'application/x-scanbridge-page';

export interface CropRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How corner mode flattens the page: CorrectPerspective's options (paper, dpi, cleanup, mode). */
export type PerspectiveOptions = Omit<ParamsOf<'CorrectPerspective'>, 'pages' | 'selected' | 'corners'>;
export type CorrectedPage = Awaited<ReturnType<ScanbridgeClient['correctPerspective']>>[number];

function toError(err: unknown): ScanbridgeError {
  return err instanceof ScanbridgeError ? err : new ScanbridgeError('internal-error', (err as Error)?.message ?? String(err));
}

export class ScanViewer extends HTMLElement {
  static readonly observedAttributes = ['layout', 'barcodes'];

  #client: ScanbridgeClient | null = null;
  #unsubscribe: Array<() => void> = [];
  #pages: PageInfo[] = [];
  #byId = new Map<string, PageInfo>();
  readonly #thumbs = new Map<string, HTMLElement>();
  #selected = new Set<string>();
  #anchor: string | null = null;
  #current: string | null = null;
  /** Adopt the service's selection on the next load (first load, after a reconnect). */
  #adoptSelection = true;
  #refreshing: Promise<void> | null = null;
  #refreshAgain = false;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #selectionTimer: ReturnType<typeof setTimeout> | null = null;
  #dragged: string | null = null;
  #firstThumb = false;
  #io: IntersectionObserver | null = null;
  #resize: ResizeObserver | null = null;
  #largeKey = '';
  #camera: CameraPanel | null = null;
  #docs: DocumentInfo[] = [];
  /** Codes given with showBarcodes(), per page id, for the version they were read on. */
  #codes = new Map<string, { version: number; barcodes: BarcodeResult[] }>();
  readonly #overlay: SVGSVGElement;
  /** Recognised words per page id, shown over the large page (showWords). */
  readonly #words = new Map<string, { words: OcrPage; version: number | undefined }>();

  readonly #strip: HTMLElement;
  readonly #main: HTMLElement;
  readonly #large: HTMLImageElement;
  readonly #empty: HTMLElement;
  readonly #live: HTMLElement;
  readonly #wordLayer: HTMLElement;

  constructor() {
    super();
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>${VIEWER_STYLE}${CAMERA_STYLE}</style>
<div class="root" part="root">
  <div class="strip" part="strip" role="listbox" aria-multiselectable="true" aria-orientation="vertical" tabindex="0" aria-label="Pages"></div>
  <div class="main" part="main">
    <img class="large" part="large" alt="" hidden>
    <svg class="codes" part="codes" aria-hidden="true" hidden></svg>
    <div class="words" part="words" hidden></div>
    <p class="empty" part="empty">No pages yet.</p>
  </div>
  <div class="sr" role="status" aria-live="polite" aria-relevant="additions"></div>
</div>`;
    this.#strip = root.querySelector('.strip')!;
    this.#main = root.querySelector('.main')!;
    this.#large = root.querySelector('.large')!;
    this.#empty = root.querySelector('.empty')!;
    this.#live = root.querySelector('[role=status]')!;
    this.#wordLayer = root.querySelector('.words')!;
    this.#large.addEventListener('load', () => this.#placeWords());
    this.#strip.addEventListener('click', (e) => this.#onClick(e));
    this.#strip.addEventListener('keydown', (e) => this.#onKey(e));
    this.#strip.addEventListener('dragstart', (e) => this.#onDragStart(e));
    this.#strip.addEventListener('dragover', (e) => this.#onDragOver(e));
    this.#strip.addEventListener('dragleave', (e) => this.#clearDropMark(e.target as Element));
    this.#strip.addEventListener('drop', (e) => this.#onDrop(e));
    this.#strip.addEventListener('dragend', () => this.#endDrag());
    this.#overlay = root.querySelector('.codes')!;
    this.#large.addEventListener('error', () => this.#large.removeAttribute('src'));
    this.#large.addEventListener('load', () => this.#drawCodes());
  }

  connectedCallback(): void {
    this.#io ??= new IntersectionObserver((entries) => this.#onIntersect(entries), { root: this.#strip, rootMargin: '50% 0px' });
    for (const el of this.#thumbs.values()) this.#io.observe(el);
    this.#resize ??= new ResizeObserver(() => {
      this.#showLarge();
      this.#drawCodes();
    });
    this.#resize.observe(this.#main);
    // The element's own label names the list of pages (e.g. "Scanned pages").
    if (this.hasAttribute('aria-label')) this.#strip.setAttribute('aria-label', this.getAttribute('aria-label')!);
  }

  disconnectedCallback(): void {
    this.hideCamera();
    this.#io?.disconnect();
    this.#io = null;
    this.#resize?.disconnect();
    this.#resize = null;
  }

  attributeChangedCallback(name: string): void {
    if (name === 'barcodes') this.#drawCodes();
    if (name === 'layout') this.#strip.setAttribute('aria-orientation', this.getAttribute('layout') === 'grid' ? 'horizontal' : 'vertical');
  }

  /** The client whose buffer is shown. Setting it loads the pages and follows its events. */
  get client(): ScanbridgeClient | null {
    return this.#client;
  }

  set client(client: ScanbridgeClient | null) {
    if (client === this.#client) return;
    this.#unsubscribe.splice(0).forEach((off) => off());
    this.#client = client;
    this.#adoptSelection = true;
    this.#apply([]);
    if (!client) return;
    this.#unsubscribe.push(
      client.on('buffer', () => this.#scheduleRefresh()),
      client.on('session', () => {
        this.#adoptSelection = true;
        void this.refresh();
      }),
      client.on('connection', (change) => {
        if (change.state !== 'connected') return;
        this.#adoptSelection = true;
        this.#reloadImages();
        void this.refresh();
      }),
    );
    void this.refresh();
  }

  /** Pages in buffer order, as last loaded. */
  get pages(): readonly PageInfo[] {
    return this.#pages;
  }

  /** Ids of the selected pages, in buffer order. */
  get selectedIds(): string[] {
    return inOrder(this.#pages.map((p) => p.id), this.#selected);
  }

  /** The page shown large. */
  get current(): PageInfo | null {
    return this.#current === null ? null : (this.#byId.get(this.#current) ?? null);
  }

  /** The documents of the buffer (GetDocuments), as last loaded. */
  get documents(): readonly DocumentInfo[] {
    return this.#docs;
  }

  /**
   * Codes to outline (with the `barcodes` attribute), e.g. what client.readBarcodes() answered.
   * Kept per page for the version they were read on: an edited page shows none until read again.
   */
  showBarcodes(results: readonly PageBarcodes[]): void {
    for (const r of results) this.#codes.set(r.page, { version: r.version, barcodes: r.barcodes });
    this.#drawCodes();
  }

  /** The codes outlined on the shown page. */
  get shownBarcodes(): BarcodeResult[] {
    const page = this.current;
    if (!page) return [];
    const given = this.#codes.get(page.id);
    return given && given.version === page.version ? given.barcodes : (page.barcodes ?? []);
  }

  /** Reload the page list from the service now. Never rejects: failures become `scanbridge-error` events. */
  refresh(): Promise<void> {
    if (this.#refreshing) {
      this.#refreshAgain = true;
      return this.#refreshing;
    }
    this.#refreshing = (async () => {
      do {
        this.#refreshAgain = false;
        const client = this.#client;
        if (!client) return;
        // A service without documents (older than GetDocuments) shows none.
        const [pages, docs] = await Promise.all([client.getImagesInfo(), client.getDocuments().catch((): DocumentInfo[] => [])]);
        if (client !== this.#client) return;
        this.#docs = docs;
        this.#apply(pages);
      } while (this.#refreshAgain);
    })()
      .catch((err: unknown) => this.#fail(err))
      .finally(() => (this.#refreshing = null));
    return this.#refreshing;
  }

  /** Make exactly these pages the selection. */
  select(ids: Iterable<string>): void {
    this.#setSelection(new Set([...ids].filter((id) => this.#byId.has(id))), true);
  }

  selectAll(): void {
    this.select(this.#pages.map((p) => p.id));
  }

  /** Show this page large and make it the keyboard position. */
  setCurrent(id: string): void {
    if (!this.#byId.has(id) || id === this.#current) return;
    this.#current = id;
    this.#markCurrent();
    this.#showLarge();
    this.dispatchEvent(new CustomEvent('currentchange', { bubbles: true, composed: true, detail: { page: this.current } }));
  }

  /** Remove the selected pages (or the current one when nothing is selected). */
  async deleteSelected(): Promise<void> {
    const ids = this.#targets();
    if (ids.length === 0 || !this.#client) return;
    await this.#guard(async () => {
      await this.#client!.removeImages({ pages: ids });
      this.#announce(`${ids.length === 1 ? 'Page' : `${ids.length} pages`} deleted.`);
    });
  }

  /** Rotate the selected pages (or the current one) clockwise by a multiple of 90 degrees. */
  async rotateSelected(angle: 90 | -90 | 180): Promise<void> {
    const ids = this.#targets();
    if (ids.length === 0 || !this.#client) return;
    await this.#guard(async () => {
      await this.#client!.rotateImages({ pages: ids, angle });
      this.#announce(`${ids.length === 1 ? 'Page' : `${ids.length} pages`} rotated ${angle > 0 ? 'right' : 'left'}.`);
    });
  }

  /** Move a page to a new position (0-based). */
  async movePage(id: string, to: number): Promise<void> {
    if (!this.#client) return;
    await this.#guard(async () => {
      await this.#client!.moveImage({ page: id, to });
      this.#announce(`Page moved to position ${to + 1} of ${this.#pages.length}.`);
    });
  }

  /**
   * Show a camera's live picture with a Capture button over the large page:
   * `{ deviceId, settings }` for a service camera (`camera:` ids), or
   * `{ camera }` for a BrowserCamera. Each capture fires `capture` {job}; its
   * page arrives in the strip like a scanned one.
   */
  showCamera(source: CameraSource): void {
    this.hideCamera();
    if (!this.#client) throw new ScanbridgeError('session-required', 'set viewer.client before showing a camera');
    this.#camera = new CameraPanel(this.#client, source, {
      captured: (job: ScanJob) => this.dispatchEvent(new CustomEvent('capture', { bubbles: true, composed: true, detail: { job } })),
      failed: (err) => this.#fail(err),
      closed: () => this.hideCamera(),
    });
    this.#main.append(this.#camera.element);
    this.#announce('Camera shown.');
  }

  /** Stop showing the camera (the service stops its preview when nobody else watches). */
  hideCamera(): void {
    if (!this.#camera) return;
    this.#camera.destroy();
    this.#camera = null;
    this.#announce('Camera closed.');
  }

  /** Take a picture with the camera shown (as its Capture button does); null when none is shown or it failed. */
  capture(): Promise<ScanJob | null> {
    return this.#camera?.capture() ?? Promise.resolve(null);
  }

  /**
   * Shows the recognised words of a page (`client.recognize({output: ['words']})`
   * answers them) as boxes over the large page, each with its text (selectable,
   * `title` on hover); `null` takes them away. Boxes are in page pixels, so they
   * follow the page at any size; they are dropped when the page is edited
   * (another version, or another size).
   */
  showWords(words: OcrPage | null, pageId = words?.pageId): void {
    if (!pageId) return;
    if (words) this.#words.set(pageId, { words, version: this.#byId.get(pageId)?.version });
    else this.#words.delete(pageId);
    this.#placeWords();
  }

  #placeWords(): void {
    const page = this.current;
    const shown = page ? this.#words.get(page.id) : undefined;
    const words = shown?.words;
    const layer = this.#wordLayer;
    if (!page || !words || this.#large.hidden || shown.version !== page.version || words.width !== page.width || words.height !== page.height) {
      layer.hidden = true;
      layer.replaceChildren();
      return;
    }
    const img = this.#large.getBoundingClientRect();
    const main = this.#main.getBoundingClientRect();
    Object.assign(layer.style, { left: `${img.left - main.left}px`, top: `${img.top - main.top}px`, width: `${img.width}px`, height: `${img.height}px` });
    const key = `${page.id}:${page.version}:${words.text.length}`;
    if (layer.dataset.key !== key) {
      layer.dataset.key = key;
      const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(3)}%`;
      layer.replaceChildren(
        ...words.blocks.flatMap((b) =>
          b.lines.flatMap((l) =>
            l.words.map((w) => {
              const el = document.createElement('span');
              el.className = 'word';
              el.textContent = w.text;
              el.title = `${w.text} (${Math.round(w.confidence)} %)`;
              Object.assign(el.style, { left: pct(w.box[0], page.width), top: pct(w.box[1], page.height), width: pct(w.box[2] - w.box[0], page.width), height: pct(w.box[3] - w.box[1], page.height) });
              return el;
            }),
          ),
        ),
      );
    }
    layer.hidden = false;
  }

  /**
   * Let the user draw a rectangle on the large page with the pointer; resolves
   * with it in pixels of the page, or null when cancelled (Escape).
   */
  drawRect(): Promise<CropRect | null> {
    const page = this.current;
    if (!page || this.#large.hidden) return Promise.resolve(null);
    const img = this.#large;
    const box = document.createElement('div');
    box.className = 'crop';
    box.hidden = true;
    this.#main.append(box);
    this.#main.style.cursor = 'crosshair';
    this.#announce('Draw the area on the page; Escape cancels.');
    return new Promise((resolve) => {
      let start: { x: number; y: number } | null = null;
      const imgRect = () => img.getBoundingClientRect();
      const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
      const current = (e: PointerEvent) => {
        const r = imgRect();
        return { x: clamp(e.clientX, r.left, r.right), y: clamp(e.clientY, r.top, r.bottom) };
      };
      const draw = (a: { x: number; y: number }, b: { x: number; y: number }) => {
        const m = this.#main.getBoundingClientRect();
        Object.assign(box.style, { left: `${Math.min(a.x, b.x) - m.left}px`, top: `${Math.min(a.y, b.y) - m.top}px`, width: `${Math.abs(a.x - b.x)}px`, height: `${Math.abs(a.y - b.y)}px` });
        box.hidden = false;
      };
      const done = (rect: CropRect | null) => {
        this.#main.removeEventListener('pointerdown', down);
        this.#main.removeEventListener('pointermove', move);
        this.#main.removeEventListener('pointerup', up);
        document.removeEventListener('keydown', key, true);
        this.#main.style.cursor = '';
        box.remove();
        resolve(rect);
      };
      const down = (e: PointerEvent) => {
        start = current(e);
        this.#main.setPointerCapture(e.pointerId);
        e.preventDefault();
      };
      const move = (e: PointerEvent) => {
        if (start) draw(start, current(e));
      };
      const up = (e: PointerEvent) => {
        if (!start) return;
        const end = current(e);
        const r = imgRect();
        const sx = page.width / r.width;
        const sy = page.height / r.height;
        const x = Math.round((Math.min(start.x, end.x) - r.left) * sx);
        const y = Math.round((Math.min(start.y, end.y) - r.top) * sy);
        const width = Math.min(page.width - x, Math.round(Math.abs(end.x - start.x) * sx));
        const height = Math.min(page.height - y, Math.round(Math.abs(end.y - start.y) * sy));
        done(width > 0 && height > 0 ? { x, y, width, height } : null);
      };
      const key = (e: KeyboardEvent) => {
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        done(null);
      };
      this.#main.addEventListener('pointerdown', down);
      this.#main.addEventListener('pointermove', move);
      this.#main.addEventListener('pointerup', up);
      document.addEventListener('keydown', key, true);
    });
  }

  /**
   * Corner mode, for a photographed page: the current page's corners as
   * DetectDocument finds them (the whole page when it finds none) become four
   * handles over the large page; the user drags them onto the paper's corners
   * (or moves them with the arrow keys) and Apply (or Enter) flattens the page
   * with CorrectPerspective and `options`; Cancel (or Escape) leaves it as it
   * is. Resolves with the page's result, or null when cancelled or failed
   * (failures become `scanbridge-error` events).
   */
  async correctPerspective(options: PerspectiveOptions = {}): Promise<CorrectedPage | null> {
    const page = this.current;
    const client = this.#client;
    if (!page || !client || this.#large.hidden) return null;
    let result: CorrectedPage | null = null;
    await this.#guard(async () => {
      const [found] = await client.detectDocument({ pages: [page.id] });
      if (!found) return;
      this.#announce(found.documentFound ? 'Page found.' : 'No page found: the corners start at the corners of the image.');
      const corners = await editCorners({ main: this.#main, image: this.#large, page, announce: (text) => this.#announce(text) }, found.corners).done;
      if (!corners) return;
      const [corrected] = await client.correctPerspective({ ...options, pages: [page.id], corners });
      result = corrected ?? null;
      this.#announce('Page flattened.');
    });
    return result;
  }

  // ---- loading ----

  #scheduleRefresh(): void {
    if (this.#refreshTimer) return;
    // Coalesce the events of a burst (a batch edit, a fast scan) into one reload.
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, 30);
  }

  #apply(pages: PageInfo[]): void {
    const previousCount = this.#pages.length;
    const previousIndex = this.#current === null ? 0 : Math.max(0, this.#pages.findIndex((p) => p.id === this.#current));
    this.#pages = pages;
    this.#byId = new Map(pages.map((p) => [p.id, p]));
    for (const [id, el] of this.#thumbs) {
      if (this.#byId.has(id)) continue;
      this.#io?.unobserve(el);
      el.remove();
      this.#thumbs.delete(id);
    }
    if (this.#adoptSelection && pages.length > 0) {
      this.#adoptSelection = false;
      this.#selected = new Set(pages.filter((p) => p.selected).map((p) => p.id));
    } else {
      this.#selected = new Set([...this.#selected].filter((id) => this.#byId.has(id)));
    }
    const ends = new Map(this.#docs.map((d) => [d.pageIds[d.pageIds.length - 1]!, d]));
    const starts = new Set(this.#docs.map((d) => d.pageIds[0]!));
    let cursor = this.#strip.firstElementChild;
    pages.forEach((page, index) => {
      let el = this.#thumbs.get(page.id);
      if (!el) el = this.#createThumb(page);
      this.#updateThumb(el, page, index, pages.length, ends, starts);
      if (el === cursor) cursor = cursor.nextElementSibling;
      else this.#strip.insertBefore(el, cursor);
    });
    if (this.#current === null || !this.#byId.has(this.#current)) {
      this.#current = pages[Math.min(previousIndex, pages.length - 1)]?.id ?? null;
    }
    this.#markCurrent();
    this.#showLarge();
    this.#empty.hidden = pages.length > 0;
    if (pages.length !== previousCount) this.#announce(`${pages.length} ${pages.length === 1 ? 'page' : 'pages'}.`);
    this.dispatchEvent(new CustomEvent('pageschange', { bubbles: true, composed: true, detail: { pages } }));
  }

  #createThumb(page: PageInfo): HTMLElement {
    const el = document.createElement('div');
    el.className = 'thumb';
    el.id = `p-${page.id}`;
    el.setAttribute('role', 'option');
    el.draggable = true;
    el.dataset.id = page.id;
    const img = document.createElement('img');
    img.alt = '';
    img.decoding = 'async';
    img.draggable = false;
    img.addEventListener('load', () => {
      if (!img.getAttribute('src')) return;
      el.classList.add('loaded');
      if (!this.#firstThumb) {
        this.#firstThumb = true;
        performance.mark('scan-viewer:first-thumbnail');
      }
    });
    img.addEventListener('error', () => {
      // Retried on the next reload (the service may be restarting).
      img.removeAttribute('src');
      delete el.dataset.loaded;
    });
    const num = document.createElement('span');
    num.className = 'num';
    num.setAttribute('aria-hidden', 'true');
    el.append(img, num);
    this.#thumbs.set(page.id, el);
    this.#io?.observe(el);
    return el;
  }

  #updateThumb(el: HTMLElement, page: PageInfo, index: number, count: number, ends: Map<string, DocumentInfo>, starts: Set<string>): void {
    const blank = page.tags.includes('blank');
    const ending = ends.get(page.id);
    el.classList.toggle('doc-end', ending !== undefined);
    el.classList.toggle('doc-start', starts.has(page.id));
    const docLabel = ending ? `, end of document${ending.barcode ? ` ${ending.barcode.text}` : ''}` : '';
    el.setAttribute('aria-label', `Page ${index + 1} of ${count}${blank ? ', blank' : ''}${docLabel}`);
    el.setAttribute('aria-posinset', String(index + 1));
    el.setAttribute('aria-setsize', String(count));
    el.setAttribute('aria-selected', String(this.#selected.has(page.id)));
    el.querySelector('.num')!.textContent = String(index + 1);
    let tag = el.querySelector<HTMLElement>('.tag');
    if (blank && !tag) {
      tag = document.createElement('span');
      tag.className = 'tag';
      tag.textContent = 'blank';
      tag.setAttribute('aria-hidden', 'true');
      el.append(tag);
    } else if (!blank) tag?.remove();
    if (el.dataset.loaded !== undefined && el.dataset.loaded !== String(page.version)) {
      if (el.dataset.visible) this.#loadThumb(el);
      else this.#unloadThumb(el);
    }
  }

  #thumbSize(): { width: number; height: number } {
    const css = Number.parseFloat(getComputedStyle(this).getPropertyValue('--thumb-size')) || 112;
    const dpr = window.devicePixelRatio || 1;
    return { width: Math.round(css * dpr), height: Math.round(css * THUMB_RATIO * dpr) };
  }

  #loadThumb(el: HTMLElement): void {
    const page = this.#byId.get(el.dataset.id!);
    if (!page || !this.#client) return;
    const img = el.querySelector('img')!;
    const { width, height } = this.#thumbSize();
    const url = this.#client.imageUrl(page, width, height);
    if (img.getAttribute('src') !== url) {
      el.classList.remove('loaded');
      img.src = url;
    }
    el.dataset.loaded = String(page.version);
  }

  #unloadThumb(el: HTMLElement): void {
    el.querySelector('img')!.removeAttribute('src');
    el.classList.remove('loaded');
    delete el.dataset.loaded;
  }

  #onIntersect(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      const el = entry.target as HTMLElement;
      if (entry.isIntersecting) {
        el.dataset.visible = '1';
        this.#loadThumb(el);
      } else {
        delete el.dataset.visible;
        // Not loaded yet and scrolled away: drop the request instead of waiting for it.
        if (!el.classList.contains('loaded')) this.#unloadThumb(el);
      }
    }
  }

  #reloadImages(): void {
    for (const el of this.#thumbs.values()) if (!el.classList.contains('loaded')) this.#unloadThumb(el);
    this.#largeKey = '';
  }

  #showLarge(): void {
    const page = this.current;
    if (!page || !this.#client) {
      this.#large.hidden = true;
      this.#large.removeAttribute('src');
      this.#largeKey = '';
      this.#placeWords();
      return;
    }
    const dpr = window.devicePixelRatio || 1;
    const box = this.#main.getBoundingClientRect();
    // Steps of 64 px so that resizing the window does not fetch the page at every pixel.
    const width = Math.max(64, Math.ceil((box.width * dpr) / 64) * 64);
    const height = Math.max(64, Math.ceil((box.height * dpr) / 64) * 64);
    const url = this.#client.imageUrl(page, width, height);
    const index = this.#pages.indexOf(page);
    this.#large.alt = `Page ${index + 1} of ${this.#pages.length}`;
    this.#large.hidden = false;
    if (url !== this.#largeKey) {
      this.#largeKey = url;
      this.#large.src = url;
    }
    this.#placeWords();
    this.#drawCodes();
  }

  /** Outlines the shown page's codes over the large image: an SVG in page pixels laid exactly over it. */
  #drawCodes(): void {
    const page = this.current;
    const codes = this.hasAttribute('barcodes') ? this.shownBarcodes : [];
    const img = this.#large;
    if (!page || codes.length === 0 || img.hidden || !img.complete || img.naturalWidth === 0) {
      this.#overlay.setAttribute('hidden', '');
      this.#overlay.replaceChildren();
      return;
    }
    const r = img.getBoundingClientRect();
    const m = this.#main.getBoundingClientRect();
    Object.assign(this.#overlay.style, { left: `${r.left - m.left}px`, top: `${r.top - m.top}px`, width: `${r.width}px`, height: `${r.height}px` });
    this.#overlay.setAttribute('viewBox', `0 0 ${page.width} ${page.height}`);
    const ns = 'http://www.w3.org/2000/svg';
    this.#overlay.replaceChildren(
      ...codes.map((c) => {
        const p = c.position;
        const shape = document.createElementNS(ns, 'polygon');
        shape.setAttribute('points', [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((q) => `${q.x},${q.y}`).join(' '));
        shape.setAttribute('class', 'code');
        shape.dataset.format = c.format;
        shape.dataset.text = c.text;
        const title = document.createElementNS(ns, 'title');
        title.textContent = `${c.format}: ${c.text}`;
        shape.append(title);
        return shape;
      }),
    );
    this.#overlay.removeAttribute('hidden');
  }

  // ---- selection and keyboard ----

  #setSelection(selected: Set<string>, sync: boolean): void {
    this.#selected = selected;
    for (const [id, el] of this.#thumbs) el.setAttribute('aria-selected', String(selected.has(id)));
    this.dispatchEvent(new CustomEvent('selectionchange', { bubbles: true, composed: true, detail: { ids: this.selectedIds } }));
    if (sync) this.#syncSelection();
  }

  /** The service keeps the selection too (RemoveSelectedImages, `selected: true` edits); tell it, once per burst of clicks. */
  #syncSelection(): void {
    if (this.#selectionTimer) clearTimeout(this.#selectionTimer);
    this.#selectionTimer = setTimeout(() => {
      this.#selectionTimer = null;
      const client = this.#client;
      if (client) void this.#guard(() => client.selectImages({ pages: this.selectedIds }));
    }, 100);
  }

  #markCurrent(): void {
    for (const [id, el] of this.#thumbs) el.classList.toggle('current', id === this.#current);
    if (this.#current !== null) this.#strip.setAttribute('aria-activedescendant', `p-${this.#current}`);
    else this.#strip.removeAttribute('aria-activedescendant');
  }

  #targets(): string[] {
    const ids = this.selectedIds;
    return ids.length > 0 ? ids : this.#current !== null ? [this.#current] : [];
  }

  #onClick(e: MouseEvent): void {
    const el = (e.target as Element).closest<HTMLElement>('.thumb');
    if (!el) return;
    const id = el.dataset.id!;
    const next = pick({ order: this.#pages.map((p) => p.id), selected: this.#selected, anchor: this.#anchor }, { id, toggle: e.ctrlKey || e.metaKey, range: e.shiftKey });
    this.#anchor = next.anchor;
    this.#setSelection(next.selected, true);
    this.setCurrent(id);
    this.#strip.focus({ preventScroll: true });
  }

  #onKey(e: KeyboardEvent): void {
    const order = this.#pages.map((p) => p.id);
    const at = this.#current === null ? -1 : order.indexOf(this.#current);
    const columns = this.getAttribute('layout') === 'grid' ? this.#columns() : 1;
    const step: Record<string, number> = { ArrowDown: columns, ArrowUp: -columns, ArrowRight: 1, ArrowLeft: -1, PageDown: 10, PageUp: -10 };
    const mod = e.ctrlKey || e.metaKey;
    let handled = true;
    if (e.key in step || e.key === 'Home' || e.key === 'End') {
      if (order.length === 0) return;
      const target = e.key === 'Home' ? 0 : e.key === 'End' ? order.length - 1 : Math.min(order.length - 1, Math.max(0, at + step[e.key]!));
      if (e.altKey && at >= 0 && e.key in step) {
        // Alt+arrow: move the current page itself.
        if (target !== at) void this.movePage(order[at]!, target);
      } else {
        const id = order[target]!;
        if (e.shiftKey) this.#setSelection(pick({ order, selected: this.#selected, anchor: this.#anchor ?? this.#current }, { id, range: true }).selected, true);
        else if (!mod) {
          this.#anchor = id;
          this.#setSelection(new Set([id]), true);
        }
        this.setCurrent(id);
        this.#thumbs.get(id)?.scrollIntoView({ block: 'nearest' });
      }
    } else if (e.key === ' ' && this.#current !== null) {
      this.#anchor = this.#current;
      this.#setSelection(pick({ order, selected: this.#selected, anchor: this.#anchor }, { id: this.#current, toggle: true }).selected, true);
    } else if (mod && e.key.toLowerCase() === 'a') {
      this.selectAll();
      this.#announce(`All ${order.length} pages selected.`);
    } else if (e.key === 'Delete' || e.key === 'Backspace') {
      void this.deleteSelected();
    } else if (e.key.toLowerCase() === 'r' && !mod) {
      void this.rotateSelected(e.shiftKey ? -90 : 90);
    } else if (e.key === 'Escape' && this.#current !== null) {
      this.#setSelection(new Set([this.#current]), true);
    } else handled = false;
    if (handled) e.preventDefault();
  }

  /** Thumbnails per row of the grid, for Up and Down. */
  #columns(): number {
    const first = this.#strip.firstElementChild as HTMLElement | null;
    if (!first) return 1;
    const top = first.offsetTop;
    let n = 0;
    for (const el of this.#strip.children) {
      if ((el as HTMLElement).offsetTop !== top) break;
      n += 1;
    }
    return Math.max(1, n);
  }

  // ---- drag and drop ----

  #onDragStart(e: DragEvent): void {
    const el = (e.target as Element).closest<HTMLElement>('.thumb');
    if (!el || !e.dataTransfer) return;
    this.#dragged = el.dataset.id!;
    e.dataTransfer.setData(DRAG_TYPE, this.#dragged);
    e.dataTransfer.effectAllowed = 'move';
    el.classList.add('dragging');
  }

  #dropTarget(e: DragEvent): { el: HTMLElement; after: boolean } | null {
    const el = (e.target as Element).closest<HTMLElement>('.thumb');
    if (!el || this.#dragged === null) return null;
    const r = el.getBoundingClientRect();
    const after = this.getAttribute('layout') === 'grid' ? e.clientX > r.left + r.width / 2 : e.clientY > r.top + r.height / 2;
    return { el, after };
  }

  #onDragOver(e: DragEvent): void {
    const target = this.#dropTarget(e);
    if (!target) return;
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    target.el.classList.toggle('drop-after', target.after);
    target.el.classList.toggle('drop-before', !target.after);
  }

  #clearDropMark(el: Element | null): void {
    el?.closest('.thumb')?.classList.remove('drop-before', 'drop-after');
  }

  #onDrop(e: DragEvent): void {
    const target = this.#dropTarget(e);
    const dragged = this.#dragged;
    this.#endDrag();
    if (!target || dragged === null) return;
    e.preventDefault();
    const to = dropIndex(
      this.#pages.map((p) => p.id),
      dragged,
      target.el.dataset.id!,
      target.after,
    );
    if (to !== null) void this.movePage(dragged, to);
  }

  #endDrag(): void {
    this.#dragged = null;
    for (const el of this.#strip.querySelectorAll('.dragging, .drop-before, .drop-after')) el.classList.remove('dragging', 'drop-before', 'drop-after');
  }

  // ---- errors and announcements ----

  async #guard(work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    const error = toError(err);
    this.#announce(`Error: ${error.message}`);
    this.dispatchEvent(new CustomEvent('scanbridge-error', { bubbles: true, composed: true, detail: { error } }));
  }

  #announce(text: string): void {
    // One element per message: a message is not lost when another follows at once ("2 pages deleted." then "4 pages.").
    const message = document.createElement('div');
    message.textContent = text;
    this.#live.append(message);
    while (this.#live.childElementCount > 5) this.#live.firstElementChild!.remove();
  }
}
