/**
 * Resolves once a writable wants more data, or is gone (closed, destroyed):
 * a writer waiting for 'drain' alone would wait forever on a stream that
 * closed instead (an answered request, an abandoned archive).
 */
import type { Writable } from 'node:stream';

export function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
