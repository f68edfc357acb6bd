/**
 * The PDF load worker: pdf.js (with @napi-rs/canvas, what pdf.js itself uses
 * in Node) renders pages here, in a worker thread, so that a hostile PDF that
 * loops or eats memory is ended by terminating the worker and never stalls
 * the service. One document at a time; pages are rendered on request, one
 * by one, so the service's memory holds one page whatever the page count.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { FromWorker, ToWorker } from './pdf-load-messages.js';
import { jpegPageFinder, type JpegPageFinder } from './single-jpeg-pages.js';

const port = parentPort!;
const pdfjsDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

let doc: PDFDocumentProxy | undefined;
let jpegs: JpegPageFinder | undefined;
let dpi = 200;
let limits = { pixels: 0, side: 0 };

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);

async function open(msg: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  await close();
  dpi = msg.dpi;
  limits = { pixels: msg.maxPixels, side: msg.maxSide };
  // pdf.js may take over the buffer it is given; pdf-lib reads the original.
  const task = getDocument({
    data: msg.bytes.slice(),
    password: msg.password,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    standardFontDataUrl: `${pdfjsDir}/standard_fonts/`,
    cMapUrl: `${pdfjsDir}/cmaps/`,
    cMapPacked: true,
    // Images larger than a page may be are skipped rather than decoded.
    maxImageSize: msg.maxPixels,
    verbosity: 0,
  });
  try {
    doc = await task.promise;
  } catch (err) {
    const e = err as { name?: string; code?: number };
    if (e.name === 'PasswordException') {
      send({ type: 'error', kind: 'password', reason: e.code === 2 ? 'the password is wrong' : 'the document is protected by a password', given: msg.password !== undefined });
    } else {
      send({ type: 'error', kind: 'invalid', reason: reasonOf(err) });
    }
    await task.destroy().catch(() => undefined);
    return;
  }
  if (doc.numPages > msg.maxPages) {
    send({ type: 'error', kind: 'invalid', reason: `${doc.numPages} pages is more than the limit of ${msg.maxPages} per load` });
    await close();
    return;
  }
  const finder = await jpegPageFinder(msg.bytes);
  jpegs = finder && finder.pageCount === doc.numPages ? finder : undefined;
  send({ type: 'opened', pageCount: doc.numPages });
}

async function renderPage(index: number, raster: boolean): Promise<void> {
  if (!doc) throw new Error('no document is open');
  const jpeg = raster ? undefined : jpegs?.find(index);
  if (jpeg) {
    const bytes = jpeg.bytes.slice();
    send({ type: 'jpeg', ...jpeg, bytes }, [bytes.buffer as ArrayBuffer]);
    return;
  }
  const page = await doc.getPage(index + 1);
  try {
    const viewport = page.getViewport({ scale: dpi / 72 });
    const width = Math.max(1, Math.round(viewport.width));
    const height = Math.max(1, Math.round(viewport.height));
    if (width > limits.side || height > limits.side || width * height > limits.pixels) {
      throw new Error(`at ${dpi} dpi the page is ${width}x${height} pixels, more than the limit of ${limits.pixels / 1e6} megapixels; load it at a lower dpi`);
    }
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    await page.render({ canvasContext: ctx as unknown as Parameters<typeof page.render>[0]['canvasContext'], viewport }).promise;
    const rgba = ctx.getImageData(0, 0, width, height).data;
    const pixelCount = width * height;
    let grey = true;
    for (let i = 0; i < rgba.length; i += 4) {
      if (rgba[i] !== rgba[i + 1] || rgba[i + 1] !== rgba[i + 2]) {
        grey = false;
        break;
      }
    }
    const channels = grey ? 1 : 3;
    const pixels = new Uint8Array(pixelCount * channels);
    for (let p = 0, i = 0; p < pixelCount; p++, i += 4) {
      if (grey) pixels[p] = rgba[i]!;
      else {
        pixels[3 * p] = rgba[i]!;
        pixels[3 * p + 1] = rgba[i + 1]!;
        pixels[3 * p + 2] = rgba[i + 2]!;
      }
    }
    send({ type: 'raster', pixels, width, height, channels, dpi }, [pixels.buffer as ArrayBuffer]);
  } finally {
    page.cleanup();
  }
}

async function close(): Promise<void> {
  jpegs = undefined;
  const d = doc;
  doc = undefined;
  await d?.destroy().catch(() => undefined);
}

port.on('message', (msg: ToWorker) => {
  const run = async () => {
    try {
      if (msg.type === 'open') await open(msg);
      else if (msg.type === 'page') await renderPage(msg.index, msg.raster);
      else {
        await close();
        send({ type: 'closed' });
      }
    } catch (err) {
      send({ type: 'error', kind: 'invalid', reason: reasonOf(err) });
    }
  };
  void run();
});
