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
const PASS: readonly [number, number] = [4, 1];
const HORIZONTAL: readonly [number, number] = [3, 1];
const EOL: readonly [number, number] = [12, 1];

class BitWriter {
  buf: Buffer;
  pos = 0;
  acc = 0;
  bits = 0;

  constructor(initial: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, initial));
  }

  put(length: number, code: number): void {
    // At most 13 bits at a time, so the accumulator (below 8 pending bits) never passes 21 bits.
    this.acc = (this.acc << length) | code;
    this.bits += length;
    while (this.bits >= 8) {
      this.bits -= 8;
      if (this.pos === this.buf.length) this.grow();
      this.buf[this.pos++] = (this.acc >>> this.bits) & 0xff;
    }
    this.acc &= (1 << this.bits) - 1;
  }

  code(c: readonly [number, number]): void {
    this.put(c[0], c[1]);
  }

  run(length: number, black: boolean): void {
    while (length >= 2560) {
      this.code(EXTENDED_MAKEUP[12]!);
      length -= 2560;
    }
    if (length >= 64) {
      const i = (length >> 6) - 1;
      this.code(i >= 27 ? EXTENDED_MAKEUP[i - 27]! : black ? BLACK_MAKEUP[i]! : WHITE_MAKEUP[i]!);
      length &= 63;
    }
    this.code(black ? BLACK_TERM[length]! : WHITE_TERM[length]!);
  }

  finish(): Buffer {
    if (this.bits > 0) this.put(8 - this.bits, 0);
    return this.buf.subarray(0, this.pos);
  }

  private grow(): void {
    const bigger = Buffer.allocUnsafe(this.buf.length * 2);
    this.buf.copy(bigger);
    this.buf = bigger;
  }
}

/** Leading zero bits of a byte (8 for 0). */
const CLZ8 = new Uint8Array(256).map((_, b) => (b === 0 ? 8 : 7 - Math.floor(Math.log2(b))));

/**
 * Positions in the row where the colour changes (starting from white), then
 * `width` three times as end markers. Returns the number of changes. Bytes of
 * the current colour are skipped, four at a time through `words` (the data as
 * 32-bit words, when it is aligned): most of a text page is white; each
 * change costs one table look-up.
 */
function changingElements(data: Buffer, words: Uint32Array | null, offset: number, stride: number, width: number, out: Int32Array): number {
  let n = 0;
  let flip = 0; // 0xff while the current colour is black: bits that differ from it are then the 0 bits
  const end = offset + stride;
  const wordsEnd = end >> 2; // words wholly inside the row end before this one
  let p = offset;
  while (p < end) {
    if (words !== null && (p & 3) === 0) {
      const fill = flip === 0 ? 0 : 0xffffffff;
      let w = p >> 2;
      while (w < wordsEnd && words[w] === fill) w++;
      if ((w << 2) > p) {
        p = w << 2;
        continue;
      }
    }
    let diff = data[p]! ^ flip;
    while (diff !== 0) {
      const bit = CLZ8[diff]!;
      const x = ((p - offset) << 3) + bit;
      if (x >= width) break;
      out[n++] = x;
      flip ^= 0xff;
      // Bits after this one that differ from the new colour.
      diff = (data[p]! ^ flip) & (0xff >> (bit + 1));
    }
    p++;
  }
  out[n] = width;
  out[n + 1] = width;
  out[n + 2] = width;
  return n;
}

export function encodeG4(image: Bilevel): Buffer {
  const { width, height, stride, data } = image;
  const w = new BitWriter(stride * height >> 3);
  let ref = new Int32Array(width + 3);
  let cur = new Int32Array(width + 3);
  ref[0] = width;
  ref[1] = width;
  ref[2] = width;
  const words = data.byteOffset % 4 === 0 ? new Uint32Array(data.buffer, data.byteOffset, data.length >> 2) : null;
  for (let y = 0; y < height; y++) {
    changingElements(data, words, y * stride, stride, width, cur);
    let a0 = -1;
    let black = false;
    let ia = 0; // index in cur of the first change after a0
    let ib = 0; // index in ref of the first change after a0
    while (a0 < width) {
      while (cur[ia]! <= a0 && cur[ia]! < width) ia++;
      while (ref[ib]! <= a0 && ref[ib]! < width) ib++;
      // b1 must change to the colour opposite a0's: even ref indices turn black, odd turn white.
      const ib1 = (ib & 1) === (black ? 1 : 0) ? ib : ib + 1;
      const b1 = ref[ib1]!;
      const b2 = ref[ib1 + 1]!;
      const a1 = cur[ia]!;
      if (b2 < a1) {
        w.code(PASS);
        a0 = b2;
      } else if (a1 - b1 <= 3 && b1 - a1 <= 3) {
        w.put(VERTICAL_LENGTH[a1 - b1 + 3]!, VERTICAL_CODE[a1 - b1 + 3]!);
        a0 = a1;
        black = !black;
      } else {
        const a2 = cur[ia + 1]!;
        w.code(HORIZONTAL);
        w.run(a1 - (a0 < 0 ? 0 : a0), black);
        w.run(a2 - a1, !black);
        a0 = a2;
      }
    }
    const t = ref;
    ref = cur;
    cur = t;
  }
  w.code(EOL);
  w.code(EOL);
  return w.finish();
}
