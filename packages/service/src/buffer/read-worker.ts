/**
 * The thread that reads and decrypts page files for page-reader.ts: the file
 * is read into a buffer kept from one page to the next and decrypted
 * (AES-GCM, authenticated) piece by piece into the shared slot the main
 * thread named. What this thread allocates per page is collected by its own
 * small heap; the service's event loop neither decrypts nor collects it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CipherError, openInto, SEAL_OVERHEAD } from './cipher.js';
import type { ReadReply, ReadTask } from './read-protocol.js';

let file = Buffer.allocUnsafeSlow(1 << 20);
const keys = new Map<string, Buffer>();

function readWhole(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    // One more byte than stat said, so that a file that grew is read whole, not cut.
    if (size + 1 > file.length) file = Buffer.allocUnsafeSlow(2 ** Math.ceil(Math.log2(size + 1)));
    let length = 0;
    for (;;) {
      if (length === file.length) {
        const bigger = Buffer.allocUnsafeSlow(file.length * 2);
        file.copy(bigger, 0, 0, length);
        file = bigger;
      }
      const n = readSync(fd, file, length, file.length - length, length);
      if (n === 0) break;
      length += n;
    }
    return file.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

parentPort!.on('message', (task: ReadTask) => {
  let reply: ReadReply;
  try {
    let key = keys.get(task.key);
    if (!key) keys.set(task.key, (key = Buffer.from(task.key, 'hex')));
    const sealed = readWhole(task.path);
    if (sealed.length - SEAL_OVERHEAD > task.slot.byteLength) {
      reply = { id: task.id, ok: false, kind: 'size', message: `page file holds ${sealed.length - SEAL_OVERHEAD} bytes, the slot ${task.slot.byteLength}` };
    } else {
      reply = { id: task.id, ok: true, length: openInto(key, sealed, task.aad, new Uint8Array(task.slot)) };
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    reply = err instanceof CipherError ? { id: task.id, ok: false, kind: 'cipher', message: e.message } : { id: task.id, ok: false, kind: 'fs', message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) };
  }
  parentPort!.postMessage(reply);
});
