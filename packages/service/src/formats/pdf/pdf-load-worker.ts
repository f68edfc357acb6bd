/**
 * The PDF load worker: pdf.js (with @napi-rs/canvas, what pdf.js itself uses
 * in Node) renders pages here, in a worker thread, so that a hostile PDF that
 * loops or eats memory is ended by terminating the worker and never stalls
 * the service. One document at a time; pages are rendered on request, one
 * by one, and each in bands deflated as they are drawn, so memory holds one
 * band and the compressed page whatever the page count and resolution.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { constants, inflateRawSync } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import { getDocument, type PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { FromWorker, ToWorker } from './pdf-load-messages.js';
import { jpegPageFinder, type JpegPageFinder } from './single-jpeg-pages.js';
import { type DeflatedPiece, deflatePiece, writePng } from '../png-pieces.js';

/** zlib level of the stored PNG (what sharp used before: libvips' default 6). */
const PNG_LEVEL = 6;

const port = parentPort!;
const pdfjsDir = path.dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));

let doc: PDFDocumentProxy | undefined;
let jpegs: JpegPageFinder | undefined;
let dpi = 200;
let limits = { pixels: 0, side: 0, band: 0 };

function send(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

const reasonOf = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 300);

async function open(msg: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  await close();
  dpi = msg.dpi;
  limits = { pixels: msg.maxPixels, side: msg.maxSide, band: msg.bandBytes };
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
    // Rendered in bands of at most limits.band bytes of canvas, each deflated at once:
    // a 1200 dpi A4 page (139 megapixels, 557 MB as one RGBA canvas) never sits
    // uncompressed whole. Every band replays the page's drawing operations
    // (pdf.js keeps them and its decoded images between renders).
    const bandRows = Math.max(1, Math.min(height, Math.floor(limits.band / (width * 4))));
    const canvas = createCanvas(width, bandRows);
    const ctx = canvas.getContext('2d');
    const pieces: DeflatedPiece[] = [];
    let channels: 1 | 3 = 1;
    for (let top = 0; top < height; top += bandRows) {
      const rows = Math.min(bandRows, height - top);
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(0, 0, width, bandRows);
      await page.render({ canvasContext: ctx as unknown as Parameters<typeof page.render>[0]['canvasContext'], viewport, transform: [1, 0, 0, 1, 0, -top] }).promise;
      const rgba = ctx.getImageData(0, 0, width, rows).data;
      if (channels === 1 && !isGrey(rgba)) {
        // The first colour band: the grey bands before it become RGB.
        channels = 3;
        for (let i = 0; i < pieces.length; i++) pieces[i] = await deflatePiece(greyToRgbRows(inflateRawSync(pieces[i]!.deflated, { finishFlush: constants.Z_SYNC_FLUSH }), width), PNG_LEVEL);
      }
      pieces.push(await deflatePiece(scanlines(rgba, width, rows, channels), PNG_LEVEL));
    }
    // A copy: a small Buffer may share Node's pool, which must not be transferred.
    const bytes = new Uint8Array(writePng({ width, height, bitDepth: 8, channels, dpi }, pieces));
    send({ type: 'png', bytes, width, height, channels, dpi }, [bytes.buffer as ArrayBuffer]);
  } finally {
    page.cleanup();
  }
}

function isGrey(rgba: Uint8ClampedArray): boolean {
  for (let i = 0; i < rgba.length; i += 4) if (rgba[i] !== rgba[i + 1] || rgba[i + 1] !== rgba[i + 2]) return false;
  return true;
}

/** PNG scanlines (filter byte 0, then the samples) of an RGBA band, as grey or RGB. */
function scanlines(rgba: Uint8ClampedArray, width: number, rows: number, channels: 1 | 3): Uint8Array {
  const stride = width * channels + 1;
  const out = new Uint8Array(stride * rows);
  for (let y = 0; y < rows; y++) {
    let o = y * stride + 1;
    const end = (y + 1) * width * 4;
    if (channels === 1) for (let i = y * width * 4; i < end; i += 4) out[o++] = rgba[i]!;
    else {
      for (let i = y * width * 4; i < end; i += 4) {
        out[o++] = rgba[i]!;
        out[o++] = rgba[i + 1]!;
        out[o++] = rgba[i + 2]!;
      }
    }
  }
  return out;
}

function greyToRgbRows(grey: Uint8Array, width: number): Uint8Array {
  const rows = grey.length / (width + 1);
  const out = new Uint8Array(rows * (width * 3 + 1));
  for (let y = 0, o = 0; y < rows; y++) {
    const start = y * (width + 1) + 1;
    o++; // filter byte 0
    for (let i = start; i < start + width; i++) {
      const v = grey[i]!;
      out[o++] = v;
      out[o++] = v;
      out[o++] = v;
    }
  }
  return out;
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
