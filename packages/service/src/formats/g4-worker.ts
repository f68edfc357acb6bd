/**
 * A G4 thread (g4-pool.ts): a stored 1-bit PNG inflated and encoded as
 * CCITT G4, the JavaScript encoder's tens of milliseconds a page (a hundred
 * on a noisy page) off the service's event loop, two pages at once on two
 * cores.
 */
import { parentPort } from 'node:worker_threads';
import { decodeBilevelPng, type Bilevel } from './bilevel.js';
import { encodeG4 } from './ccitt-g4.js';
import type { G4Result, G4Task } from './g4-protocol.js';
import type { ThreadReply } from '../util/thread-pool.js';

parentPort!.on('message', (task: G4Task) => {
  void run(task).then(
    (result) => {
      // The strip in an ArrayBuffer of its own, handed over rather than copied.
      const transfer = result ? [result.strip.buffer as ArrayBuffer] : [];
      parentPort!.postMessage({ id: task.id, ok: true, result } satisfies ThreadReply<G4Result>, transfer);
    },
    (err: unknown) => parentPort!.postMessage({ id: task.id, ok: false, message: (err as Error).message } satisfies ThreadReply<G4Result>),
  );
});

async function run(task: G4Task): Promise<G4Result> {
  let b: Bilevel | null;
  if ('png' in task) {
    const png = Buffer.from(task.png.buffer, task.png.byteOffset, task.png.byteLength);
    b = await decodeBilevelPng(png).catch(() => null);
    if (!b) return null;
  } else {
    const { width, height, stride, data } = task.bilevel;
    b = { width, height, stride, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) };
  }
  const encoded = encodeG4(b);
  const strip = new Uint8Array(encoded.length);
  strip.set(encoded);
  return { width: b.width, height: b.height, strip };
}
