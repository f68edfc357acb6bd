/**
 * The thread that reads and decrypts page files for page-reader.ts: the file
 * is read a piece at a time into a buffer kept from one page to the next and
 * each piece decrypted (AES-GCM, authenticated) into the shared slot the main
 * thread named (cipher.openFileInto). What this thread allocates per page is
 * collected by its own small heap; the service's event loop neither decrypts
 * nor collects it.
 */
import { closeSync, openSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { CipherError, openFileInto } from './cipher.js';
import type { ReadReply, ReadTask } from './read-protocol.js';

const keys = new Map<string, Buffer>();

parentPort!.on('message', (task: ReadTask) => {
  let reply: ReadReply;
  try {
    let key = keys.get(task.key);
    if (!key) keys.set(task.key, (key = Buffer.from(task.key, 'hex')));
    const fd = openSync(task.path, 'r');
    try {
      reply = { id: task.id, ok: true, length: openFileInto(key, fd, task.aad, new Uint8Array(task.slot)) };
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
