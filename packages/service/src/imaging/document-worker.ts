/**
 * A document imaging thread (document-pool.ts): page detection and
 * perspective correction are seconds of arithmetic on a 12-megapixel frame,
 * which must not hold the service's event loop.
 */
import { parentPort } from 'node:worker_threads';
import { detectDocument } from './analysis/document-corners.js';
import { correctPixels } from './edits/perspective.js';
import type { DocumentReply, DocumentTask } from './document-protocol.js';

parentPort!.on('message', (task: DocumentTask) => {
  let reply: DocumentReply;
  try {
    if (task.op === 'detect') {
      reply = { id: task.id, ok: true, op: 'detect', result: detectDocument(task.pixels) };
    } else {
      const result = correctPixels(task.pixels, task.options);
      reply = { id: task.id, ok: true, op: 'correct', result };
    }
  } catch (err) {
    reply = { id: task.id, ok: false, message: (err as Error).message };
  }
  const transfer = reply.ok && reply.op === 'correct' && reply.result.pixels ? [reply.result.pixels.data.buffer as ArrayBuffer] : [];
  parentPort!.postMessage(reply, transfer);
});
