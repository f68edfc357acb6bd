/**
 * A line-art thread (bilevel-pool.ts): packed rows stored as a 1-bit PNG,
 * and a stored 1-bit PNG inflated and encoded as CCITT G4, off the service's
 * event loop (the JavaScript G4 encoder takes milliseconds a page, tens on
 * a noisy one), two pages at once on two cores. The rows a PNG is deflated
 * from are laid out in one buffer the thread keeps. A loaded page that
 * deflates well (text, a blank page: few changes, so G4 is cheap) is coded
 * as G4 as well once its PNG is answered, while the service goes on with
 * the load: a save that follows finds it done (bilevel-pool.ts g4OfPage).
 */
import { parentPort } from 'node:worker_threads';
import { bilevelPngRowsSync, encodeBilevelPngSync, type Bilevel, type PngRows } from './bilevel.js';
import { encodeG4, encodeG4Rows } from './ccitt-g4.js';
import type { BilevelResult, BilevelTask, G4Result, PngAhead } from './bilevel-protocol.js';
import type { ThreadReply } from '../util/thread-pool.js';

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);
const bilevelOf = (b: Bilevel): Bilevel => ({ width: b.width, height: b.height, stride: b.stride, data: asBuffer(b.data) });

/** Bytes in an ArrayBuffer of their own, to hand over rather than copy. */
function owned(bytes: Buffer): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

let scratch = Buffer.alloc(0);

parentPort!.on('message', (task: BilevelTask) => {
  if (task.op === 'png') {
    png(task);
    return;
  }
  void g4(task).then(
    (result) => parentPort!.postMessage({ id: task.id, ok: true, result } satisfies ThreadReply<BilevelResult>, result ? [result.strip.buffer as ArrayBuffer] : []),
    (err: unknown) => parentPort!.postMessage({ id: task.id, ok: false, message: (err as Error).message } satisfies ThreadReply<BilevelResult>),
  );
});

function png(task: Extract<BilevelTask, { op: 'png' }>): void {
  let b: Bilevel;
  let deflated: boolean;
  try {
    b = bilevelOf(task.bilevel);
    const need = (b.stride + 1) * b.height;
    if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
    const encoded = encodeBilevelPngSync(b, task.xdpi, task.ydpi, scratch);
    // The PNG is a buffer of its own (bilevel.ts pngFile): handed over as it is.
    const png = encoded.png;
    deflated = encoded.deflated;
    if (task.ticket === undefined) {
      parentPort!.postMessage({ id: task.id, ok: true, result: { png } } satisfies ThreadReply<BilevelResult>, [png.buffer as ArrayBuffer]);
      return;
    }
    parentPort!.postMessage({ pngAhead: task.ticket, png } satisfies PngAhead, [png.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ id: task.id, ok: false, message: (err as Error).message } satisfies ThreadReply<BilevelResult>);
    return;
  }
  // A noisy page (stored, not deflated) has changes everywhere: tens of milliseconds that
  // would keep this thread from the next page; it is coded when saved.
  let g4: G4Result = null;
  if (deflated) {
    try {
      g4 = { width: b.width, height: b.height, strip: owned(encodeG4(b)) };
    } catch {
      // The save codes the page itself.
    }
  }
  parentPort!.postMessage({ id: task.id, ok: true, result: { g4 } } satisfies ThreadReply<BilevelResult>, g4 ? [g4.strip.buffer as ArrayBuffer] : []);
}
async function g4(task: Extract<BilevelTask, { op: 'g4' }>): Promise<G4Result> {
  if ('bilevel' in task) {
    const b = bilevelOf(task.bilevel);
    return { width: b.width, height: b.height, strip: owned(encodeG4(b)) };
  }
  let rows: PngRows | null;
  try {
    rows = bilevelPngRowsSync(asBuffer(task.png));
  } catch {
    rows = null;
  }
  if (!rows) return null;
  // Coded from the inflated rows where they lie: no copy into packed rows, no inversion.
  const { width, height, stride, raw, oneIsBlack } = rows;
  return { width, height, strip: owned(encodeG4Rows({ width, height, data: raw, start: 1, step: stride + 1, oneIsBlack })) };
}
