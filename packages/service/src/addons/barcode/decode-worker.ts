/**
 * A barcode reading thread of the pool (worker-pool.ts): one page part at a
 * time, so a slow page never holds the service's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { readPatchCode } from './patch-codes.js';
import { readGrey } from './zxing-engine.js';
import type { WorkerReply, WorkerTask } from './worker-protocol.js';

parentPort!.on('message', (task: WorkerTask) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      // No formats means every format to ZXing: a task for patch codes alone does not call it.
      const found = task.options.formats?.length === 0 ? [] : await readGrey(task.grey, task.width, task.height, task.options);
      const patches = task.patch ? readPatchCode(task.grey, task.width, task.height, task.patch) : [];
      reply = {
        id: task.id,
        ok: true,
        result: [
          ...patches,
          ...found.map((r) => ({
            format: r.format,
            text: r.text,
            bytes: r.bytes,
            contentType: r.contentType,
            hasECI: r.hasECI,
            position: r.position,
            orientation: r.orientation,
            extra: r.extra,
          })),
        ],
      };
    } catch (err) {
      reply = { id: task.id, ok: false, message: (err as Error).message };
    }
    parentPort!.postMessage(reply);
  })();
});
