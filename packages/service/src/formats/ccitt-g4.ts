/**
 * CCITT Group 4 (ITU-T T.6) encoding of line-art, as one stream for the whole
 * page. PDF (/CCITTFaxDecode, K -1) and single-strip TIFF need exactly that;
 * libtiff (inside sharp) writes G4 in strips of 256 rows, each an independent
 * stream that PDF cannot take, and no maintained npm package encodes G4.
 *
 * Works on each row's changing elements (the positions where the colour
 * flips), coding each against the row above with pass, vertical and
 * horizontal modes; ends with EOFB.
 */
import type { Bilevel } from './bilevel.js';

// T.4 run-length codes as [bit length, code], index = run length (terminating 0..63).
const WHITE_TERM: ReadonlyArray<readonly [number, number]> = [
  [8, 53], [6, 7], [4, 7], [4, 8], [4, 11], [4, 12], [4, 14], [4, 15], [5, 19], [5, 20], [5, 7], [5, 8], [6, 8], [6, 3], [6, 52], [6, 53],
  [6, 42], [6, 43], [7, 39], [7, 12], [7, 8], [7, 23], [7, 3], [7, 4], [7, 40], [7, 43], [7, 19], [7, 36], [7, 24], [8, 2], [8, 3], [8, 26],
  [8, 27], [8, 18], [8, 19], [8, 20], [8, 21], [8, 22], [8, 23], [8, 40], [8, 41], [8, 42], [8, 43], [8, 44], [8, 45], [8, 4], [8, 5], [8, 10],
  [8, 11], [8, 82], [8, 83], [8, 84], [8, 85], [8, 36], [8, 37], [8, 88], [8, 89], [8, 90], [8, 91], [8, 74], [8, 75], [8, 50], [8, 51], [8, 52],
];
const BLACK_TERM: ReadonlyArray<readonly [number, number]> = [
  [10, 55], [3, 2], [2, 3], [2, 2], [3, 3], [4, 3], [4, 2], [5, 3], [6, 5], [6, 4], [7, 4], [7, 5], [7, 7], [8, 4], [8, 7], [9, 24],
  [10, 23], [10, 24], [10, 8], [11, 103], [11, 104], [11, 108], [11, 55], [11, 40], [11, 23], [11, 24], [12, 202], [12, 203], [12, 204], [12, 205], [12, 104], [12, 105],
  [12, 106], [12, 107], [12, 210], [12, 211], [12, 212], [12, 213], [12, 214], [12, 215], [12, 108], [12, 109], [12, 218], [12, 219], [12, 84], [12, 85], [12, 86], [12, 87],
  [12, 100], [12, 101], [12, 82], [12, 83], [12, 36], [12, 55], [12, 56], [12, 39], [12, 40], [12, 88], [12, 89], [12, 43], [12, 44], [12, 90], [12, 102], [12, 103],
];
// Make-up codes, index = run / 64 - 1 (64..1728).
const WHITE_MAKEUP: ReadonlyArray<readonly [number, number]> = [
  [5, 27], [5, 18], [6, 23], [7, 55], [8, 54], [8, 55], [8, 100], [8, 101], [8, 104], [8, 103], [9, 204], [9, 205], [9, 210], [9, 211],
  [9, 212], [9, 213], [9, 214], [9, 215], [9, 216], [9, 217], [9, 218], [9, 219], [9, 152], [9, 153], [9, 154], [6, 24], [9, 155],
];
const BLACK_MAKEUP: ReadonlyArray<readonly [number, number]> = [
  [10, 15], [12, 200], [12, 201], [12, 91], [12, 51], [12, 52], [12, 53], [13, 108], [13, 109], [13, 74], [13, 75], [13, 76], [13, 77], [13, 114],
  [13, 115], [13, 116], [13, 117], [13, 118], [13, 119], [13, 82], [13, 83], [13, 84], [13, 85], [13, 90], [13, 91], [13, 100], [13, 101],
];
// Shared by both colours, index = run / 64 - 28 (1792..2560).
const EXTENDED_MAKEUP: ReadonlyArray<readonly [number, number]> = [
  [11, 8], [11, 12], [11, 13], [12, 18], [12, 19], [12, 20], [12, 21], [12, 22], [12, 23], [12, 28], [12, 29], [12, 30], [12, 31],
];
// Vertical mode codes (lengths and codes), index = a1 - b1 + 3 (VL3..VR3).
const VERTICAL_LENGTH = Uint8Array.of(7, 6, 3, 1, 3, 6, 7);
const VERTICAL_CODE = Uint8Array.of(2, 2, 2, 1, 3, 3, 3);

/** Codes packed as code << 4 | bit length, so that one look-up gives both. */
const pack = ([length, code]: readonly [number, number]): number => (code << 4) | length;
/** Terminating codes, index = colour * 64 + run (colour 0 white, 1 black). */
const TERM = Int32Array.from([...WHITE_TERM, ...BLACK_TERM], pack);
/** Make-up codes, index = colour * 40 + run / 64 - 1: each colour's own (64..1728), then the shared extended ones (1792..2560). */
const MAKEUP = Int32Array.from([...WHITE_MAKEUP, ...EXTENDED_MAKEUP, ...BLACK_MAKEUP, ...EXTENDED_MAKEUP], pack);
const MAKEUP_2560 = pack(EXTENDED_MAKEUP[12]!);

/**
 * Bits written MSB first, 32 at a time: codes gather in `acc` (fewer than
 * 32 pending bits between calls) and go out as four bytes when it fills.
 */
class BitWriter {
  buf: Buffer;
  pos = 0;
  acc = 0;
  bits = 0;

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, initial));
  }

  /** `length` (1..31) low bits of `code`. */
  put(length: number, code: number): void {
    const room = 32 - this.bits;
    if (length < room) {
      this.acc = (this.acc << length) | code;
      this.bits += length;
      return;
    }
    const rest = length - room;
    const word = (this.acc << room) | (code >>> rest);
    if (this.pos + 4 > this.buf.length) this.grow();
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = word >>> 24;
    buf[pos + 1] = (word >>> 16) & 0xff;
    buf[pos + 2] = (word >>> 8) & 0xff;
    buf[pos + 3] = word & 0xff;
    this.pos = pos + 4;
    this.acc = code & ((1 << rest) - 1);
    this.bits = rest;
  }

  packed(c: number): void {
    this.put(c & 15, c >>> 4);
  }

  run(length: number, colour: number): void {
    while (length >= 2560) {
      this.packed(MAKEUP_2560);
      length -= 2560;
    }
    if (length >= 64) {
      this.packed(MAKEUP[colour * 40 + (length >> 6) - 1]!);
      length &= 63;
    }
    this.packed(TERM[colour * 64 + length]!);
  }

  finish(): Buffer {
    // The pending bits, left-aligned, padded with zeros to a byte.
    if (this.pos + 4 > this.buf.length) this.grow();
    const word = this.bits === 0 ? 0 : this.acc << (32 - this.bits);
    for (let k = 0; k < this.bits; k += 8) this.buf[this.pos++] = (word >>> (24 - k)) & 0xff;
    this.bits = 0;
    return this.buf.subarray(0, this.pos);
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/**
 * Positions in a row where the colour changes (starting from white), then
 * `width` three times as end markers; returns the number of changes. The
 * row is read 32 bits at a time: a word's changes are the bits where it
 * differs from itself shifted by one (the bit before it carried over), so a
 * word of one colour costs a comparison and each change one clz32.
 * `white` is the bit value of white (0 in our rows, 1 in a grey PNG's).
 * Bits past `width` (a row's padding) are not looked at as changes.
 */
function changingElements(data: Uint8Array, at: number, bytes: number, width: number, white: number, out: Int32Array): number {
  let n = 0;
  let prev = white; // the imaginary white pixel before the row
  const whole = bytes & ~3;
  let i = 0;
  for (; i < whole; i += 4) {
    const p = at + i;
    const w = (data[p]! << 24) | (data[p + 1]! << 16) | (data[p + 2]! << 8) | data[p + 3]!;
    let t = w ^ ((w >>> 1) | (prev << 31));
    prev = w & 1;
    if (t === 0) continue;
    let x = i << 3;
    do {
      const b = Math.clz32(t);
      x += b;
      out[n++] = x;
      x++;
      t = (t << b) << 1;
    } while (t !== 0);
  }
  if (i < bytes) {
    // The last one to three bytes, as the top of a word (the rest of it is past the width).
    let w = 0;
    for (let k = 0; k < 4; k++) w = (w << 8) | (i + k < bytes ? data[at + i + k]! : 0);
    let t = w ^ ((w >>> 1) | (prev << 31));
    let x = i << 3;
    while (t !== 0) {
      const b = Math.clz32(t);
      x += b;
      out[n++] = x;
      x++;
      t = (t << b) << 1;
    }
  }
  while (n > 0 && out[n - 1]! >= width) n--;
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

/** Rows of packed bits wherever they are in `data`: row y starts at start + y * step. */
export interface G4Rows {
  width: number;
  height: number;
  data: Uint8Array;
  start: number;
  step: number;
  /** Whether bit 1 is black (ours) or white (a grey PNG's). */
  oneIsBlack: boolean;
}

/** Packed rows (1 = black) as one G4 stream. */
export function encodeG4(image: Bilevel): Buffer {
  return encodeG4Rows({ width: image.width, height: image.height, data: image.data, start: 0, step: image.stride, oneIsBlack: true });
}

/**
 * As encodeG4, on rows in another layout: a PNG's inflated rows are coded
 * where they lie (after each row's filter byte, 0 = black), without being
 * copied and inverted into ours first.
 */
export function encodeG4Rows(rows: G4Rows): Buffer {
  const { width, height, data, start, step } = rows;
  const bytes = (width + 7) >> 3;
  const white = rows.oneIsBlack ? 0 : 1;
  const w = new BitWriter((bytes * height) >> 3);
  // Room for a change at every bit of the row's bytes (padding included) and the three end markers.
  let ref = new Int32Array(bytes * 8 + 3);
  let cur = new Int32Array(bytes * 8 + 3);
  ref[0] = width;
  ref[1] = width;
  ref[2] = width;
  let refChanges = 0;
  const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (let y = 0; y < height; y++) {
    const at = start + y * step;
    if (y > 0 && buf.compare(buf, at - step, at - step + bytes, at, at + bytes) === 0) {
      // A row as the one above (most rows of a text page, all of a blank one): each of its
      // changes, and the row's end, codes as V0, one 1 bit each; the reference row stays.
      for (let k = refChanges + 1; k > 0; k -= 24) {
        const m = k < 24 ? k : 24;
        w.put(m, (1 << m) - 1);
      }
      continue;
    }
    refChanges = changingElements(data, at, bytes, width, white, cur);
    let a0 = -1;
    let colour = 0; // of a0: 0 white, 1 black
    // Index in cur of a1, the first change after a0, and in ref of the first change after a0:
    // each mode moves them to where they must be next, so that no scan looks for them.
    let ia = 0;
    let ib = 0;
    while (a0 < width) {
      // b1 must change to the colour opposite a0's: even ref indices turn black, odd turn white.
      const ib1 = ib + ((ib ^ colour) & 1);
      const b1 = ref[ib1]!;
      const b2 = ref[ib1 + 1]!;
      const a1 = cur[ia]!;
      if (b2 < a1) {
        w.put(4, 1); // pass: a0 moves to b2, a1 stays after it
        a0 = b2;
        ib = ib1 + 2;
        continue;
      }
      const d = a1 - b1;
      if (d <= 3 && d >= -3) {
        w.put(VERTICAL_LENGTH[d + 3]!, VERTICAL_CODE[d + 3]!);
        a0 = a1;
        colour ^= 1;
        ia++;
        if (d >= 0) {
          // b1 <= a1 <= b2 (not a pass): the first change after a1 is b2, or the one after it when b2 = a1.
          ib = ib1 + 1;
          if (ref[ib]! <= a0) ib++;
        } else if (ref[ib]! <= a0) {
          // a1 < b1: a change before b1 (when ib1 skipped one) may still lie after a1.
          ib = ib1;
        }
      } else {
        const a2 = cur[ia + 1]!;
        w.put(3, 1); // horizontal
        w.run(a1 - (a0 < 0 ? 0 : a0), colour);
        w.run(a2 - a1, colour ^ 1);
        a0 = a2;
        ia += 2;
        while (ref[ib]! <= a0) ib++;
      }
    }
    const t = ref;
    ref = cur;
    cur = t;
  }
  w.put(12, 1); // EOFB: two EOLs
  w.put(12, 1);
  return w.finish();
}
