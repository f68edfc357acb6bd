/**
 * Entry of the SANE worker's read thread (read-thread.ts): sane_read called
 * synchronously in a loop, into page memory shared with the worker's main
 * thread, until the target is full, the status is no longer GOOD, or
 * FILL_MS have passed with data in hand.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { FillRequest, FillAnswer } from './read-thread.js';

const koffi = (await import('koffi')).default;
const lib = koffi.load((workerData as { library: string }).library);
// The device handle crosses threads as its address (koffi's pointer objects do not).
const read = lib.func('int sane_read(intptr_t handle, void *data, int max_length, _Out_ int *length)');

const GOOD = 0;
const out = [0];

parentPort!.on('message', (request: FillRequest) => {
  const { id, handle, buffer, offset, length, budgetMs } = request;
  let answer: FillAnswer;
  try {
    const into = new Uint8Array(buffer, offset, length);
    const began = performance.now();
    let filled = 0;
    let status = GOOD;
    while (filled < length) {
      out[0] = 0;
      status = read(handle, filled === 0 ? into : into.subarray(filled), length - filled, out) as number;
      if (status !== GOOD) break;
      filled += Math.max(0, Math.min(out[0]!, length - filled));
      // An empty GOOD read (allowed in non-blocking mode) must not spin; a slow device's data goes on without waiting for a full target.
      if (out[0] === 0 || performance.now() - began >= budgetMs) break;
    }
    answer = { id, status, length: filled };
  } catch (err) {
    answer = { id, error: (err as Error).message };
  }
  parentPort!.postMessage(answer);
});

parentPort!.postMessage({ ready: true });
