/** The methods of a SANE worker, declared once for both sides of the IPC boundary. */
import { z } from '../../util/zod-stack.js';
import { PageMeta } from '../../buffer/buffer-state.js';
import { WorkerError, type WorkerMethod } from '../../supervisor/worker-messages.js';
import { Assignment, SaneDevice, SaneOption } from './sane-model.js';

const Options = z.object({ options: z.array(SaneOption) });
const NoEvent = z.never();
const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');
const Side = z.number().check(z.int(), z.positive());

export const ScanEvent = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('progress'),
    page: z.number().check(z.int(), z.positive()),
    fraction: z.number().check(z.gte(0), z.lte(1)),
    bytes: z.number().check(z.int(), z.nonnegative()),
    lines: z.number().check(z.int(), z.nonnegative()),
  }),
  /**
   * A page encoded in the worker (lossless PNG), with its thumbnail (none for
   * the network): its bytes in a file of the scan's handover folder
   * (page-handover.ts), or, when that file could not be written (a full
   * /dev/shm), here.
   */
  z.extend(z.omit(PageMeta, { byteSize: true }), {
    type: z.literal('page'),
    page: z.number().check(z.int(), z.positive()),
    file: z.optional(z.string()),
    bytes: z.optional(Bytes),
    preview: z.optional(z.object({ bytes: Bytes, width: Side, height: Side, pageWidth: Side, pageHeight: Side })),
  }),
  /**
   * The scan failed with this error; sent before the worker ends the batch
   * with sane_cancel, so that a driver that deadlocks in it still leaves the
   * service the real cause.
   */
  z.object({ type: z.literal('failed'), error: WorkerError }),
]);
export type ScanEvent = z.infer<typeof ScanEvent>;

export const ScanParams = z.object({
  /** The scanbridge id, for messages. */
  device: z.string(),
  assignments: z.array(Assignment),
  /** Keep starting pages until the feeder is empty; otherwise one page. */
  feeder: z.boolean(),
  /** Used for the page's resolution when the device has no resolution option. */
  dpi: z.number().check(z.positive()),
  /** A sane_read that returns nothing for this long fails the scan with io-error (a hung scanner); the worker is then replaced. */
  readStallMs: z.number().check(z.int(), z.positive()),
  /** Pages for the network (ScanSink.network): no thumbnails, always compressed. */
  network: z._default(z.boolean(), false),
  /** Network pages of 8 bits as JPEG (ScanSink.networkFormat), not PNG. */
  jpeg: z._default(z.boolean(), false),
  /** Pages of 8 bits kept as JPEG of this quality (the scan setting storeJpeg), not PNG. */
  storeJpeg: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100))),
  /** The folder the worker writes each page's bytes to (page-handover.ts). */
  handover: z.optional(z.string()),
});
export type ScanParams = z.infer<typeof ScanParams>;

export const SANE_WORKER_METHODS = {
  /** Devices libsane finds (sane_get_devices). */
  list: { params: z.object({}), result: z.object({ devices: z.array(SaneDevice) }), event: NoEvent },
  /** Open the worker's device; every other call except list needs it. */
  open: { params: z.object({ name: z.string().check(z.minLength(1)), device: z.string() }), result: Options, event: NoEvent },
  options: { params: z.object({}), result: Options, event: NoEvent },
  /** Set options as a scan would, without scanning: the device itself checks the settings. */
  apply: { params: z.object({ assignments: z.array(Assignment) }), result: Options, event: NoEvent },
  scan: { params: ScanParams, result: z.object({ pages: z.number().check(z.int(), z.nonnegative()), options: z.array(SaneOption) }), event: ScanEvent },
} satisfies Record<string, WorkerMethod>;

export type SaneWorkerMethods = typeof SANE_WORKER_METHODS;
