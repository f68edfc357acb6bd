/**
 * A ZIP of files written as a stream with yazl: each file goes in as soon as
 * it is encoded and the next one is only taken once the consumer has read
 * the previous one, so memory holds the files in flight, never the archive.
 *
 * yazl rather than archiver/zip-stream: one small dependency (buffer-crc32),
 * no readable-stream or glob machinery, ZIP64 when an archive passes 4 GiB,
 * and entries added from buffers get their sizes and CRC in the local header
 * (no data descriptor), which streaming readers such as Java's ZipInputStream
 * need for stored entries. Page files are JPEG, PNG, compressed TIFF: they are
 * stored, as deflating them again would cost time and gain nothing.
 */
import type { PassThrough, Readable } from 'node:stream';
import { drained } from '../util/drained.js';
import { lazyImport } from '../util/lazy-import.js';

const yazl = lazyImport(() => import('yazl'));

export interface ZipEntry {
  name: string;
  data: Buffer;
}

/**
 * The stream's chunks as they were written, one at a time. (Async iteration
 * would read() everything buffered as one concatenated copy: a copy of every
 * page file.)
 */
async function* chunksOf(stream: Readable): AsyncGenerator<Buffer> {
  const queue: Buffer[] = [];
  let ended = false;
  let failure: Error | undefined;
  let wake = () => {};
  stream.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    stream.pause();
    wake();
  });
  const end = () => {
    ended = true;
    wake();
  };
  // 'close' too: a stream destroyed without an error never ends.
  stream.once('end', end);
  stream.once('close', end);
  stream.once('error', (err) => {
    failure = err;
    wake();
  });
  for (;;) {
    const chunk = queue.shift();
    if (chunk) {
      stream.resume();
      yield chunk;
      continue;
    }
    if (failure) throw failure;
    if (ended) return;
    await new Promise<void>((resolve) => (wake = resolve));
  }
}

/** Writes the entries into one ZIP; an entry failing to encode ends the stream with its error. */
export async function* writeZip(entries: AsyncIterable<ZipEntry>, mtime: Date): AsyncGenerator<Buffer> {
  const zip = new (await yazl()).ZipFile();
  const out = zip.outputStream as PassThrough;
  zip.on('error', (err: Error) => out.destroy(err));
  let stopped = false;
  const produce = (async () => {
    const it = entries[Symbol.asyncIterator]();
    try {
      while (!stopped) {
        const next = await it.next();
        if (next.done) {
          zip.end();
          return;
        }
        zip.addBuffer(next.value.data, next.value.name, { compress: false, mtime });
        if (out.writableNeedDrain) await drained(out);
      }
    } finally {
      await it.return?.();
    }
  })();
  produce.catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  try {
    for await (const chunk of chunksOf(out)) if (chunk.length > 0) yield chunk;
    await produce;
  } finally {
    // The consumer left early (a cancelled upload, a closed response): stop taking pages.
    stopped = true;
    out.destroy();
    await produce.catch(() => undefined);
  }
}
