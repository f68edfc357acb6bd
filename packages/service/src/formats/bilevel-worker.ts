/**
 * A line-art thread (bilevel-pool.ts): packed rows stored as a 1-bit PNG,
 * and a stored 1-bit PNG inflated and encoded as CCITT G4, off the service's
 * event loop (the JavaScript G4 encoder takes tens of milliseconds a page, a
 * hundred on a noisy one), two pages at once on two cores. The rows a PNG
 * is deflated from are laid out in one buffer the thread keeps.
 */
import { parentPort } from 'node:worker_threads';
import { bilevelPngRowsSync, encodeBilevelPngSync, type Bilevel, type PngRows } from './bilevel.js';
import { encodeG4, encodeG4Rows } from './ccitt-g4.js';
import type { BilevelResult, BilevelTask, G4Result } from './bilevel-protocol.js';
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
  void run(task).then(
    (result) => {
      const bytes = result && ('png' in result ? result.png : result.strip);
      parentPort!.postMessage({ id: task.id, ok: true, result } satisfies ThreadReply<BilevelResult>, bytes ? [bytes.buffer as ArrayBuffer] : []);
    },
    (err: unknown) => parentPort!.postMessage({ id: task.id, ok: false, message: (err as Error).message } satisfies ThreadReply<BilevelResult>),
  );
});

async function run(task: BilevelTask): Promise<BilevelResult> {
  if (task.op === 'png') {
    const b = bilevelOf(task.bilevel);
    const need = (b.stride + 1) * b.height;
    if (scratch.length < need) scratch = Buffer.allocUnsafe(need);
    return { png: owned(encodeBilevelPngSync(b, task.xdpi, task.ydpi, scratch)) };
  }
  return g4(task);
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
