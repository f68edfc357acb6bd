/**
 * A scan in the worker: set the options, then start pages until the source
 * is done (one page from a flatbed; from a feeder until it reports no more
 * documents), each page read frame by frame, encoded, and handed to the
 * service while the next page is already being read. Every libsane call that
 * can block runs off the worker's event loop, so a complete page reaches the
 * service even while the driver hangs in the next sane_start or sane_read, and
 * a cancel then keeps it. At most one page waits for the service, so memory
 * stays flat however long the batch is.
 */
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { RawPage } from '../driver.js';
import { ingestPage, ingestRawToFile } from '../../imaging/ingest.js';
import { encodeRawJpeg } from '../../imaging/raw-jpeg.js';
import { sharp, sharpLoaded } from '../../imaging/sharp.js';
import { toWorkerError } from '../../supervisor/worker-errors.js';
import type { CallContext } from '../../supervisor/worker-host.js';
import { PageAssembler, PageMemory } from './page-assembler.js';
import { handOver, handoverName } from './page-handover.js';
import type { SaneHandle } from './sane-handle.js';
import type { SaneOption } from './sane-model.js';
import { STATUS, statusError } from './sane-status.js';
import type { ScanEvent, ScanParams } from './sane-worker-methods.js';

/** Before the read of a frame's last byte (page-assembler.ts, lastByteNext): a backend's reader thread ends of its own meanwhile. */
const LAST_BYTE_PAUSE_MS = 5;

/** Progress is reported at most this often per page (plus its start and end). */
const PROGRESS_EVERY_MS = 100;

export async function acquire(handle: SaneHandle, params: ScanParams, ctx: CallContext<ScanEvent>): Promise<{ pages: number; options: SaneOption[] }> {
  const { signal } = ctx;
  // The encoder's native library is loaded before the driver starts its threads:
  // loading it (dlopen) while a backend creates and cancels reader threads (SANE's
  // test backend does, at each page) once left the loader's locks held by a
  // cancelled thread, and the worker hung for good.
  if (!sharpLoaded()) void sharp.versions;
  // The read thread loads koffi and libsane for itself: before the driver starts threads too.
  await handle.prepareReads();
  handle.apply(params.assignments);
  const dpi = {
    x: handle.number('x-resolution') ?? handle.number('resolution') ?? params.dpi,
    y: handle.number('y-resolution') ?? handle.number('resolution') ?? params.dpi,
  };
  const stop = (): void => handle.cancel();
  signal.addEventListener('abort', stop, { once: true });
  let delivering: Promise<void> = Promise.resolve();
  let pages = 0;
  let hung = false;
  // Two pages in memory at most: the one being read and the one being encoded.
  const memory = new PageMemory(2);
  try {
    for (let page = 1; ; page++) {
      let read: { raw: RawPage; assembler: PageAssembler } | null;
      try {
        read = await readPage(handle, params, page, dpi, memory, ctx);
      } catch (err) {
        // The page before the failure still goes into the buffer before the job learns of the error.
        await delivering;
        throw err;
      }
      if (!read) break;
      await delivering;
      delivering = deliver(read.raw, page, params, ctx, () => read.assembler.release());
      delivering.catch(() => undefined);
      pages = page;
      if (!params.feeder) break;
    }
    await delivering;
  } catch (err) {
    hung = err instanceof ScanbridgeError && err.details?.['readStallMs'] !== undefined;
    // Told before sane_cancel below: a driver that deadlocks in it still leaves the service the real cause.
    ctx.emit({ type: 'failed', error: toWorkerError(err) });
    throw err;
  } finally {
    signal.removeEventListener('abort', stop);
    // Ends the batch (SANE wants a cancel after the last page) and stops a device that was interrupted.
    // A hung read is left alone: sane_cancel could hang as well, and the service replaces this worker.
    if (!hung) handle.cancel();
  }
  return { pages, options: handle.options() };
}

/** Encode (then let the next page reuse the pixels' memory) and wait until the service has the page. */
async function deliver(raw: RawPage, page: number, params: ScanParams, ctx: CallContext<ScanEvent>, release: () => void): Promise<void> {
  let encoded;
  try {
    // An 8-bit page (most) is encoded straight into its file in the handover folder; others, and that failing, as bytes.
    // An 8-bit network page asked as JPEG is encoded as one here, its only encoding.
    if (params.network && params.jpeg && raw.bitDepth === 8) encoded = await networkJpeg(raw);
    // A page to keep as JPEG (the scan setting storeJpeg) is encoded here once, with its thumbnail.
    else if (!params.network && params.storeJpeg !== undefined && raw.bitDepth === 8) encoded = await ingestPage(raw, { jpegQuality: params.storeJpeg });
    else encoded = (params.handover && raw.bitDepth === 8 ? await encodeIntoHandover(raw as RawPage & { bitDepth: 8 }, page, params) : undefined) ?? (await ingestPage(raw, { network: params.network }));
  } finally {
    release();
  }
  if (!('bytes' in encoded)) {
    await ctx.request({ type: 'page', page, ...encoded });
    return;
  }
  const { bytes, ...meta } = encoded;
  // Through a file when the service gave a folder (page-handover.ts); a write that fails (a full /dev/shm) sends the bytes instead.
  const file = params.handover ? await handOver(params.handover, page, encoded.format, bytes).catch(() => undefined) : undefined;
  await ctx.request({ type: 'page', page, ...meta, ...(file ? { file } : { bytes }) });
}

/** An 8-bit page as the JPEG an eSCL client asked for (imaging/raw-jpeg.ts). */
async function networkJpeg(raw: RawPage) {
  const bytes = await encodeRawJpeg(raw);
  return { format: 'jpeg' as const, bytes, width: raw.width, height: raw.height, xdpi: raw.xdpi, ydpi: raw.ydpi, mode: raw.mode, bitDepth: 8 };
}

/** The page's PNG written by the encoder into the handover folder; undefined when that failed (a full /dev/shm): the caller sends the bytes. */
async function encodeIntoHandover(raw: RawPage & { bitDepth: 8 }, page: number, params: ScanParams) {
  const file = handoverName(page, 'png');
  const target = path.join(params.handover!, file);
  try {
    return { ...(await ingestRawToFile(raw, target, { network: params.network })), file };
  } catch {
    await unlink(target).catch(() => undefined);
    return undefined;
  }
}

/** One page, all its frames; null when a feeder has no more documents after the last page. */
async function readPage(
  handle: SaneHandle,
  params: ScanParams,
  page: number,
  dpi: { x: number; y: number },
  memory: PageMemory,
  ctx: CallContext<ScanEvent>,
): Promise<{ raw: RawPage; assembler: PageAssembler } | null> {
  const { signal } = ctx;
  const where = { device: params.device, page, delivered: page - 1 };
  const assembler = new PageAssembler(params.device, page, dpi, memory);
  let reported = 0;
  const report = (force: boolean): void => {
    const now = Date.now();
    if (!force && now - reported < PROGRESS_EVERY_MS) return;
    reported = now;
    ctx.emit({ type: 'progress', page, ...assembler.progress() });
  };
  for (let frame = 0; ; frame++) {
    const started = await handle.start();
    if (signal.aborted) throw signal.reason;
    if (started !== STATUS.GOOD) {
      if (started === STATUS.NO_DOCS && page > 1 && frame === 0) return null;
      throw statusError(started, { ...where, call: 'sane_start' });
    }
    const frameParams = handle.parameters();
    assembler.beginFrame(frameParams);
    if (frame === 0) report(true);
    for (;;) {
      if (assembler.lastByteNext()) await delay(LAST_BYTE_PAUSE_MS);
      // Off the event loop: while the driver blocks here, the previous page is encoded and handed over, and a cancel reaches sane_cancel.
      const { status, length } = await withinStall(handle.fill(assembler.target()), params.readStallMs, where);
      if (signal.aborted) throw signal.reason;
      // A fill can bring data and then the status that ended it.
      if (length > 0) assembler.commit(length);
      if (status === STATUS.GOOD) {
        report(false);
        continue;
      }
      if (status === STATUS.EOF) break;
      // Some feeders only notice at the first read that nothing was loaded after the last page.
      if (status === STATUS.NO_DOCS && page > 1 && frame === 0 && assembler.progress().bytes === 0) return null;
      throw statusError(status, { ...where, call: 'sane_read' });
    }
    if (frameParams.lastFrame) break;
  }
  const raw = assembler.finish();
  ctx.emit({ type: 'progress', page, fraction: 1, bytes: assembler.progress().bytes, lines: raw.height });
  return { raw, assembler };
}

/**
 * A read that returns nothing for `ms` is a hung scanner or driver (a real
 * one delivers lines every few seconds at most), and without this limit the
 * job would run for ever. The read stays blocked in its thread; the service
 * replaces the worker.
 */
async function withinStall<T>(read: Promise<T>, ms: number, where: { device: string; page: number; delivered: number }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new ScanbridgeError(
            'io-error',
            `${where.device} sent no data for ${ms / 1000} s at page ${where.page} (sane_read): the scanner or its driver hangs; scanbridge stopped its worker and kept the pages scanned before. Check the scanner, then scan again`,
            { ...where, call: 'sane_read', readStallMs: ms },
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([read, stalled]);
  } finally {
    clearTimeout(timer);
  }
}
