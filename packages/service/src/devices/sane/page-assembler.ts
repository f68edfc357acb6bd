/**
 * Turns the frames SANE delivers for one page into a RawPage: grey or RGB
 * frames, three single-colour frames (three-pass scanners), 1-bit line-art,
 * 16-bit samples in the host's byte order, lines padded beyond the pixels
 * (bytes_per_line larger than needed), and pages whose height is only known
 * at the end (lines = -1). Data is read straight into the page's memory when
 * its size is known, so a page costs one copy of its pixels at most. That
 * memory is shared, so that the worker's read thread fills it (read-thread.ts).
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { RawPage } from '../driver.js';
import type { FrameParameters } from './sane-library.js';
import { sharedBuffer } from './read-thread.js';

export const FRAME = { GRAY: 0, RGB: 1, RED: 2, GREEN: 3, BLUE: 4 } as const;

/**
 * Page-sized buffers handed from one page to the next: a feeder batch reads
 * pages of the same size, and fresh memory for each (tens of MB at 300 dpi)
 * costs more in page faults than the read itself.
 */
export class PageMemory {
  private readonly free: Buffer[] = [];

  constructor(private readonly keep = 2) {}

  take(size: number): Buffer {
    const i = this.free.findIndex((b) => b.length === size);
    return i >= 0 ? this.free.splice(i, 1)[0]! : sharedBuffer(size);
  }

  give(buffers: readonly Buffer[]): void {
    for (const buffer of buffers) if (this.free.length < this.keep) this.free.push(buffer);
  }
}

/** Reads of unknown-height frames go into chunks of this size. */
const CHUNK = 1 << 20;

interface Frame {
  params: FrameParameters;
  /** Known height: one buffer of bytesPerLine × lines; unknown: a list of chunks. */
  chunks: Buffer[];
  filled: number;
}

export class PageAssembler {
  private readonly frames: Frame[] = [];
  private current: Frame | null = null;
  private discard: Buffer | null = null;

  constructor(
    private readonly device: string,
    private readonly page: number,
    private readonly dpi: { x: number; y: number },
    private readonly memory = new PageMemory(0),
  ) {}

  beginFrame(params: FrameParameters): void {
    if (![1, 8, 16].includes(params.depth)) throw this.error(`a bit depth of ${params.depth}, which SANE does not define (1, 8 or 16)`);
    if (!Object.values(FRAME).includes(params.format as 0)) throw this.error(`an unknown frame format ${params.format}`);
    if (params.bytesPerLine <= 0 || params.pixelsPerLine <= 0) throw this.error(`an empty line (${params.pixelsPerLine} pixels in ${params.bytesPerLine} bytes)`);
    if (params.bytesPerLine < Math.ceil((params.pixelsPerLine * samples(params.format) * params.depth) / 8)) {
      throw this.error(`${params.pixelsPerLine} pixels in only ${params.bytesPerLine} bytes per line`);
    }
    const known = params.lines > 0 ? params.bytesPerLine * params.lines : 0;
    this.current = { params, chunks: known ? [this.memory.take(known)] : [], filled: 0 };
    this.frames.push(this.current);
  }

  /**
   * Where the next read goes. A frame of known size is read short of its last
   * byte, which a read of its own then takes (see `lastByteNext`).
   */
  target(): Buffer {
    const frame = this.frame();
    if (frame.params.lines > 0) {
      const data = frame.chunks[0]!;
      // A device that sends more than it announced: read and drop the excess.
      if (frame.filled >= data.length) return (this.discard ??= sharedBuffer(64 * 1024));
      const end = Math.min(data.length, frame.filled + CHUNK);
      return data.subarray(frame.filled, end === data.length && frame.filled < data.length - 1 ? end - 1 : end);
    }
    if (frame.filled === frame.chunks.length * CHUNK) frame.chunks.push(sharedBuffer(CHUNK));
    return frame.chunks.at(-1)!.subarray(frame.filled - (frame.chunks.length - 1) * CHUNK);
  }

  /**
   * The next read completes the frame: a backend that reads the device on a
   * thread of its own ends that thread in the sane_read that delivers the last
   * bytes. SANE's test backend ends it with an asynchronous pthread_cancel,
   * which, landing while that thread frees its buffer or exits, leaves the C
   * library's allocator locked for ever (the worker deadlocks). Read apart,
   * after a pause, the last byte is fetched once the thread has written
   * everything and had time to end of its own.
   */
  lastByteNext(): boolean {
    const frame = this.frame();
    return frame.params.lines > 0 && frame.filled === frame.chunks[0]!.length - 1;
  }

  /** `length` bytes have been read into the last target. */
  commit(length: number): void {
    const frame = this.frame();
    frame.filled = frame.params.lines > 0 ? Math.min(frame.filled + length, frame.params.bytesPerLine * frame.params.lines) : frame.filled + length;
  }

  /** Bytes of this page so far, lines of the frame being read, and how far the page is (0 when its size is unknown). */
  progress(): { bytes: number; lines: number; fraction: number } {
    const frame = this.current;
    const bytes = this.frames.reduce((sum, f) => sum + f.filled, 0);
    if (!frame) return { bytes, lines: 0, fraction: 0 };
    const lines = Math.floor(frame.filled / frame.params.bytesPerLine);
    const framesExpected = frame.params.format >= FRAME.RED ? 3 : 1;
    const total = frame.params.lines > 0 ? frame.params.bytesPerLine * frame.params.lines * framesExpected : 0;
    return { bytes, lines, fraction: total > 0 ? Math.min(1, bytes / total) : 0 };
  }

  /** Hand the frames' memory back for the next page, once the RawPage from `finish` is no longer used. */
  release(): void {
    this.memory.give(this.frames.filter((f) => f.params.lines > 0).map((f) => f.chunks[0]!));
    this.frames.length = 0;
  }

  finish(): RawPage {
    const frames = this.frames;
    const first = frames[0];
    if (!first) throw this.error('no frame');
    if (first.params.format === FRAME.GRAY || first.params.format === FRAME.RGB) {
      if (frames.length !== 1) throw this.error(`${frames.length} frames where one was expected`);
      return this.single(first);
    }
    return this.threePass(frames);
  }

  private single(frame: Frame): RawPage {
    const { params } = frame;
    const rgb = params.format === FRAME.RGB;
    const height = this.height(frame);
    const data = rows(frame, height);
    const base = { width: params.pixelsPerLine, height, xdpi: this.dpi.x, ydpi: this.dpi.y };
    if (params.depth === 1 && rgb) return { kind: 'raw', ...base, channels: 3, bitDepth: 8, mode: 'color', data: expandBits(data, params, height, 3) };
    return { kind: 'raw', ...base, channels: rgb ? 3 : 1, bitDepth: params.depth as 1 | 8 | 16, mode: params.depth === 1 ? 'bw' : rgb ? 'color' : 'gray', data };
  }

  /** Red, green and blue frames (in the order the device chose) interleaved into RGB. */
  private threePass(frames: Frame[]): RawPage {
    const order = frames.map((f) => f.params.format);
    if (frames.length !== 3 || ![FRAME.RED, FRAME.GREEN, FRAME.BLUE].every((c) => order.includes(c))) {
      throw this.error(`colour frames ${order.join(', ')}; expected one red, one green and one blue`);
    }
    const { pixelsPerLine: width, depth } = frames[0]!.params;
    if (frames.some((f) => f.params.pixelsPerLine !== width || f.params.depth !== depth)) throw this.error('colour frames of different sizes');
    const height = Math.min(...frames.map((f) => this.height(f)));
    const bytesPerSample = depth === 16 ? 2 : 1;
    const out = Buffer.allocUnsafe(width * height * 3 * bytesPerSample);
    for (const frame of frames) {
      const channel = frame.params.format - FRAME.RED;
      const plane = depth === 1 ? expandBits(rows(frame, height), frame.params, height, 1) : rows(frame, height);
      for (let i = 0, o = channel * bytesPerSample; i < plane.length; i += bytesPerSample, o += 3 * bytesPerSample) {
        out[o] = plane[i]!;
        if (bytesPerSample === 2) out[o + 1] = plane[i + 1]!;
      }
    }
    return { kind: 'raw', width, height, channels: 3, bitDepth: depth === 16 ? 16 : 8, data: out, xdpi: this.dpi.x, ydpi: this.dpi.y, mode: 'color' };
  }

  /** Full lines received: the announced height, or fewer when the device stopped early. */
  private height(frame: Frame): number {
    const lines = Math.floor(frame.filled / frame.params.bytesPerLine);
    if (lines === 0) throw this.error('no image data');
    return frame.params.lines > 0 ? Math.min(lines, frame.params.lines) : lines;
  }

  private frame(): Frame {
    if (!this.current) throw new Error('PageAssembler: beginFrame first');
    return this.current;
  }

  private error(what: string): ScanbridgeError {
    return new ScanbridgeError('io-error', `${this.device} sent ${what} for page ${this.page}`, { device: this.device, page: this.page });
  }
}

function samples(format: number): number {
  return format === FRAME.RGB ? 3 : 1;
}

/** The frame's first `height` lines without the padding at the end of each line. */
function rows(frame: Frame, height: number): Buffer {
  const { bytesPerLine, pixelsPerLine, depth, format } = frame.params;
  const data = frame.chunks.length === 1 ? frame.chunks[0]! : Buffer.concat(frame.chunks, frame.filled);
  const needed = Math.ceil((pixelsPerLine * samples(format) * depth) / 8);
  if (needed === bytesPerLine) return data.subarray(0, needed * height);
  const out = Buffer.allocUnsafe(needed * height);
  for (let y = 0; y < height; y++) data.copy(out, y * needed, y * bytesPerLine, y * bytesPerLine + needed);
  return out;
}

/**
 * 1-bit colour samples (RGB packed 3 bits per pixel, or one colour frame)
 * spread to 8 bits. In colour a set bit is full intensity; only grey
 * line-art uses 1 for black, which RawPage keeps packed.
 */
function expandBits(packed: Buffer, params: FrameParameters, height: number, channels: 1 | 3): Buffer {
  const perLine = params.pixelsPerLine * channels;
  const stride = Math.ceil(perLine / 8);
  const out = Buffer.allocUnsafe(perLine * height);
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < perLine; i++) out[y * perLine + i] = (packed[y * stride + (i >> 3)]! >> (7 - (i & 7))) & 1 ? 255 : 0;
  }
  return out;
}
