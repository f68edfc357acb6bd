/**
 * The thread that reads and decrypts page files for page-reader.ts: the file
 * is read a piece at a time into the shared slot the main thread named and
 * each piece decrypted there (AES-GCM, authenticated; cipher.openFileInto,
 * through libcrypto). What this thread allocates per page is
 * collected by its own small heap; the service's event loop neither decrypts
 * nor collects it.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CipherError, openFileInto } from './cipher.js';
import { loadNativeGcm } from './native-gcm.js';
import type { ReadReply, ReadTask } from './read-protocol.js';

// Decrypts in place where the system's libcrypto loads (native-gcm.ts says why); with node:crypto elsewhere.
const native = await loadNativeGcm();

const keys = new Map<string, Buffer>();

parentPort!.on('message', (task: ReadTask) => {
  let reply: ReadReply;
  try {
    let key = keys.get(task.key);
    if (!key) keys.set(task.key, (key = Buffer.from(task.key, 'hex')));
    const fd = openSync(task.path, 'r');
    try {
      reply = { id: task.id, ok: true, length: openFileInto(key, fd, task.aad, new Uint8Array(task.slot), native) };
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (err instanceof CipherError) reply = { id: task.id, ok: false, kind: 'cipher', message: e.message };
    else if (err instanceof RangeError) reply = { id: task.id, ok: false, kind: 'size', message: `page file outgrew its slot of ${task.slot.byteLength} bytes` };
    else reply = { id: task.id, ok: false, kind: 'fs', message: e.message, ...(typeof e.code === 'string' ? { code: e.code } : {}) };
  }
  parentPort!.postMessage(reply);
});
