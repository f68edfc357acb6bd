/**
 * Reading sealed page files into reused buffers. A page read back from the
 * disk cache (a save, an upload or thumbnails of a batch larger than the
 * memory budget) needed two fresh buffers of its size: the file and its
 * plaintext. The file's bytes never leave the read (only the plaintext is
 * handed out), so its buffer is taken from a small pool and given back.
 */
import type { BufferIO } from './storage.js';

/** Buffers kept between reads: enough for the reads a save and an upload overlap. */
const KEEP = 4;
const free: Buffer[] = [];

function take(size: number): Buffer {
  const i = free.findIndex((b) => b.length >= size);
  if (i >= 0) return free.splice(i, 1)[0]!;
  // Rounded up so that pages of slightly different sizes reuse one buffer.
  return Buffer.allocUnsafeSlow(Math.max(64 * 1024, 2 ** Math.ceil(Math.log2(size))));
}

function give(buffer: Buffer): void {
  if (free.length < KEEP) free.push(buffer);
  else {
    // Keep the largest: a smaller page fits in them, a larger one would allocate again.
    free.sort((a, b) => a.length - b.length);
    if (free[0]!.length < buffer.length) free[0] = buffer;
  }
}

/**
 * Reads the whole file into a pooled buffer and passes its bytes to `use`,
 * which must not keep them: the buffer serves the next read once `use`
 * returns. Errors of the file system are thrown as they come (`use` is not called).
 */
export async function withFileBytes<T>(io: BufferIO, path: string, use: (bytes: Buffer) => T): Promise<T> {
  const handle = await io.open(path, 'r');
  let buffer: Buffer | undefined;
  let length = 0;
  try {
    const { size } = await handle.stat();
    buffer = take(size);
    for (;;) {
      // One more byte than stat said, so that a file that grew is read whole, not cut.
      if (length === buffer.length) {
        const bigger = take(buffer.length * 2);
        buffer.copy(bigger, 0, 0, length);
        give(buffer);
        buffer = bigger;
      }
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
  } catch (err) {
    if (buffer) give(buffer);
    throw err;
  } finally {
    await handle.close();
  }
  try {
    return use(buffer.subarray(0, length));
  } finally {
    give(buffer);
  }
}
