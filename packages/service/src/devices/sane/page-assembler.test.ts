/** Frames as SANE defines them turned into RawPages: padding, 1-bit, 16-bit, three-pass, unknown height, short and excess data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScanbridgeError } from '@scanbridge/protocol';
import { FRAME, PageAssembler, PageMemory } from './page-assembler.js';
import type { FrameParameters } from './sane-library.js';

const DPI = { x: 150, y: 150 };

function params(p: Partial<FrameParameters>): FrameParameters {
  return { format: FRAME.GRAY, lastFrame: true, bytesPerLine: 4, pixelsPerLine: 4, lines: 2, depth: 8, ...p };
}

/** Feed `data` in reads of at most `step` bytes, as sane_read would. */
function feed(assembler: PageAssembler, data: Buffer, step = 3): void {
  for (let at = 0; at < data.length; ) {
    const target = assembler.target();
    const n = Math.min(step, target.length, data.length - at);
    data.copy(target, 0, at, at + n);
    assembler.commit(n);
    at += n;
  }
}

function page(frames: [Partial<FrameParameters>, number[]][], step?: number) {
  const assembler = new PageAssembler('sane:test:0', 2, DPI);
  for (const [p, bytes] of frames) {
    assembler.beginFrame(params(p));
    feed(assembler, Buffer.from(bytes), step);
  }
  return assembler.finish();
}

function fails(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => err instanceof ScanbridgeError && (err as ScanbridgeError).code === 'io-error' && pattern.test((err as ScanbridgeError).message));
}

describe('page assembler', () => {
  it('keeps an 8-bit grey frame as it is', () => {
    const p = page([[{}, [1, 2, 3, 4, 5, 6, 7, 8]]]);
    assert.deepEqual({ ...p, data: [...p.data] }, { kind: 'raw', width: 4, height: 2, channels: 1, bitDepth: 8, mode: 'gray', xdpi: 150, ydpi: 150, data: [1, 2, 3, 4, 5, 6, 7, 8] });
  });

  it('drops the padding at the end of each line (ppl-loss)', () => {
    const p = page([[{ pixelsPerLine: 3, bytesPerLine: 5 }, [1, 2, 3, 0, 0, 4, 5, 6, 0, 0]]]);
    assert.equal(p.width, 3);
    assert.deepEqual([...p.data], [1, 2, 3, 4, 5, 6]);
  });

  it('keeps 1-bit grey packed (1 = black) with rows padded to a byte, and drops extra bytes', () => {
    // 10 pixels need 2 bytes; the device sends 3 per line.
    const p = page([[{ depth: 1, pixelsPerLine: 10, bytesPerLine: 3 }, [0b10100000, 0b11000000, 9, 0b01010101, 0b01000000, 9]]]);
    assert.deepEqual([p.mode, p.bitDepth, p.channels, p.width, p.height], ['bw', 1, 1, 10, 2]);
    assert.deepEqual([...p.data], [0b10100000, 0b11000000, 0b01010101, 0b01000000]);
  });

  it('spreads 1-bit RGB (3 bits per pixel, 1 = full intensity) to 8-bit colour', () => {
    // Two pixels per line: white (111) then red (100), then 2 padding bits.
    const p = page([[{ format: FRAME.RGB, depth: 1, pixelsPerLine: 2, bytesPerLine: 1, lines: 1 }, [0b11110000]]]);
    assert.deepEqual([p.mode, p.bitDepth, p.channels], ['color', 8, 3]);
    assert.deepEqual([...p.data], [255, 255, 255, 255, 0, 0]);
  });

  it('keeps 16-bit samples in the host order SANE sent them', () => {
    const samples = new Uint16Array([0x0102, 0xa0b0, 0xfffe, 0x0001]);
    const p = page([[{ depth: 16, pixelsPerLine: 2, bytesPerLine: 4 }, [...new Uint8Array(samples.buffer)]]]);
    assert.equal(p.bitDepth, 16);
    assert.deepEqual([...new Uint16Array(p.data.buffer.slice(p.data.byteOffset, p.data.byteOffset + p.data.length))], [0x0102, 0xa0b0, 0xfffe, 0x0001]);
  });

  it('interleaves three single-colour frames in any order into RGB', () => {
    const p = page([
      [{ format: FRAME.BLUE, lastFrame: false, pixelsPerLine: 2, bytesPerLine: 2, lines: 1 }, [30, 31]],
      [{ format: FRAME.RED, lastFrame: false, pixelsPerLine: 2, bytesPerLine: 2, lines: 1 }, [10, 11]],
      [{ format: FRAME.GREEN, pixelsPerLine: 2, bytesPerLine: 2, lines: 1 }, [20, 21]],
    ]);
    assert.deepEqual([p.mode, p.channels, p.bitDepth], ['color', 3, 8]);
    assert.deepEqual([...p.data], [10, 20, 30, 11, 21, 31]);
  });

  it('interleaves 16-bit and 1-bit three-pass frames', () => {
    const wide = page([
      [{ format: FRAME.RED, lastFrame: false, depth: 16, pixelsPerLine: 1, bytesPerLine: 2, lines: 1 }, [1, 2]],
      [{ format: FRAME.GREEN, lastFrame: false, depth: 16, pixelsPerLine: 1, bytesPerLine: 2, lines: 1 }, [3, 4]],
      [{ format: FRAME.BLUE, depth: 16, pixelsPerLine: 1, bytesPerLine: 2, lines: 1 }, [5, 6]],
    ]);
    assert.deepEqual([wide.bitDepth, ...wide.data], [16, 1, 2, 3, 4, 5, 6]);
    const bits = page([
      [{ format: FRAME.RED, lastFrame: false, depth: 1, pixelsPerLine: 2, bytesPerLine: 1, lines: 1 }, [0b10000000]],
      [{ format: FRAME.GREEN, lastFrame: false, depth: 1, pixelsPerLine: 2, bytesPerLine: 1, lines: 1 }, [0b11000000]],
      [{ format: FRAME.BLUE, depth: 1, pixelsPerLine: 2, bytesPerLine: 1, lines: 1 }, [0b00000000]],
    ]);
    assert.deepEqual([bits.bitDepth, ...bits.data], [8, 255, 255, 0, 0, 255, 0]);
  });

  it('finds the height at the end when the device does not know it (lines = -1), across chunk boundaries', () => {
    const bytesPerLine = 1000;
    const lines = 2100; // over 2 MB: several 1 MB chunks
    const data = Buffer.alloc(bytesPerLine * lines);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
    const p = page([[{ pixelsPerLine: bytesPerLine, bytesPerLine, lines: -1 }, [...data]]], 65536);
    assert.equal(p.height, lines);
    assert.ok(p.data.equals(data));
  });

  it('a frame cut short keeps its complete lines; one without a line is an io-error', () => {
    const p = page([[{ lines: 3 }, [1, 2, 3, 4, 5, 6, 7, 8, 9]]]);
    assert.equal(p.height, 2);
    assert.deepEqual([...p.data], [1, 2, 3, 4, 5, 6, 7, 8]);
    fails(() => page([[{}, [1, 2]]]), /^sane:test:0 sent no image data for page 2$/);
  });

  it('drops data beyond the announced size', () => {
    const p = page([[{ lines: 1 }, [1, 2, 3, 4, 5, 6, 7, 8]]]);
    assert.deepEqual([p.height, ...p.data], [1, 1, 2, 3, 4]);
  });

  it('refuses what SANE does not define, naming it', () => {
    const assembler = new PageAssembler('sane:test:0', 1, DPI);
    fails(() => assembler.beginFrame(params({ depth: 12 })), /a bit depth of 12, which SANE does not define/);
    fails(() => assembler.beginFrame(params({ format: 9 })), /an unknown frame format 9/);
    fails(() => assembler.beginFrame(params({ pixelsPerLine: 5, bytesPerLine: 4 })), /5 pixels in only 4 bytes per line/);
    fails(
      () =>
        page([
          [{ format: FRAME.RED, lastFrame: false, lines: 1 }, [1, 2, 3, 4]],
          [{ format: FRAME.RED, lines: 1 }, [1, 2, 3, 4]],
        ]),
      /colour frames 2, 2; expected one red, one green and one blue/,
    );
  });

  it('reports progress in bytes, lines and the fraction of the page', () => {
    const assembler = new PageAssembler('sane:test:0', 1, DPI);
    assembler.beginFrame(params({ lines: 4 }));
    feed(assembler, Buffer.alloc(8));
    assert.deepEqual(assembler.progress(), { bytes: 8, lines: 2, fraction: 0.5 });
    const unknown = new PageAssembler('sane:test:0', 1, DPI);
    unknown.beginFrame(params({ lines: -1 }));
    feed(unknown, Buffer.alloc(12));
    assert.deepEqual(unknown.progress(), { bytes: 12, lines: 3, fraction: 0 });
  });

  it("reads a frame of known size short of its last byte, which a read of its own takes (a backend's reader thread then ends of its own)", () => {
    const assembler = new PageAssembler('sane:test:0', 1, DPI);
    assembler.beginFrame(params({ lines: 3 }));
    assert.equal(assembler.target().length, 11);
    assert.equal(assembler.lastByteNext(), false);
    assembler.commit(11);
    assert.equal(assembler.lastByteNext(), true);
    assert.equal(assembler.target().length, 1);
    assembler.commit(1);
    assert.equal(assembler.lastByteNext(), false);
    assert.equal(assembler.finish().height, 3);
    // A frame of unknown height has no last byte to hold back.
    const unknown = new PageAssembler('sane:test:0', 1, DPI);
    unknown.beginFrame(params({ lines: -1 }));
    assert.equal(unknown.target().length, 1 << 20);
    assert.equal(unknown.lastByteNext(), false);
  });

  it('hands page memory to the next page of the same size', () => {
    const memory = new PageMemory(2);
    // The same memory is the same ArrayBuffer at the same offset (small buffers share a slab of Node's pool).
    const same = (a: Buffer, b: Buffer) => a.buffer === b.buffer && a.byteOffset === b.byteOffset;
    const big = params({ pixelsPerLine: 8192, bytesPerLine: 8192 });
    const first = new PageAssembler('sane:test:0', 1, DPI, memory);
    first.beginFrame(big);
    const used = first.target();
    feed(first, Buffer.alloc(16384, 1), 65536);
    first.finish();
    first.release();
    const second = new PageAssembler('sane:test:0', 2, DPI, memory);
    second.beginFrame(big);
    assert.ok(same(second.target(), used), 'the released page memory is used again');
    const other = new PageAssembler('sane:test:0', 3, DPI, memory);
    other.beginFrame(big);
    assert.ok(!same(other.target(), used), 'memory in use is not handed out twice');
  });
});
