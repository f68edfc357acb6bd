/**
 * Reads the header segments of a JPEG (up to the first scan) without decoding
 * pixels: the frame type, size and components, the Adobe colour transform
 * and the ICC profile. This decides whether a JPEG can go into a PDF byte for
 * byte and how the PDF must describe it.
 */
export interface JpegHeader {
  /** The SOF marker: 0xc0 baseline, 0xc1 extended, 0xc2 progressive, others (lossless, arithmetic) rarely readable. */
  sof: number;
  precision: number;
  width: number;
  height: number;
  components: number;
  /** Horizontal and vertical sampling factors per component. */
  sampling: Array<[number, number]>;
  /** Transform flag of an Adobe APP14 segment (0 none, 1 YCbCr, 2 YCCK), or undefined without one. */
  adobeTransform: number | undefined;
  /** The embedded ICC profile, reassembled from its APP2 chunks. */
  icc: Buffer | undefined;
  /** Byte offset of the first start-of-scan marker. */
  scanOffset: number;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** Throws an Error saying what is wrong when the header cannot be read. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) throw new Error('no JPEG start-of-image marker');
  let pos = 2;
  let frame: Omit<JpegHeader, 'adobeTransform' | 'icc' | 'scanOffset'> | undefined;
  let adobeTransform: number | undefined;
  const iccChunks: Array<{ seq: number; data: Buffer }> = [];
  for (;;) {
    if (pos >= b.length) throw new Error('the file ends before the first scan');
    if (b[pos] !== 0xff) throw new Error(`expected a marker at byte ${pos}`);
    while (pos < b.length && b[pos] === 0xff) pos++; // fill bytes
    const marker = b[pos++];
    if (marker === undefined) throw new Error('the file ends inside a marker');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (marker === 0xd9) throw new Error('the image ends before its first scan');
    if (pos + 2 > b.length) throw new Error('the file ends inside a segment length');
    const length = b.readUInt16BE(pos);
    if (length < 2 || pos + length > b.length) throw new Error(`segment 0x${marker.toString(16)} at byte ${pos - 2} runs past the end of the file`);
    const seg = b.subarray(pos + 2, pos + length);
    if (SOF_MARKERS.has(marker)) {
      if (seg.length < 6) throw new Error('frame header too short');
      const components = seg[5]!;
      if (seg.length < 6 + 3 * components) throw new Error('frame header too short for its components');
      const sampling: Array<[number, number]> = [];
      for (let i = 0; i < components; i++) {
        const hv = seg[6 + 3 * i + 1]!;
        sampling.push([hv >> 4, hv & 15]);
      }
      frame = { sof: marker, precision: seg[0]!, height: seg.readUInt16BE(1), width: seg.readUInt16BE(3), components, sampling };
    } else if (marker === 0xee && seg.length >= 12 && seg.toString('latin1', 0, 5) === 'Adobe') {
      adobeTransform = seg[11];
    } else if (marker === 0xe2 && seg.length > 14 && seg.toString('latin1', 0, 12) === 'ICC_PROFILE\0') {
      iccChunks.push({ seq: seg[12]!, data: seg.subarray(14) });
    } else if (marker === 0xda) {
      if (!frame) throw new Error('a scan starts before the frame header');
      iccChunks.sort((x, y) => x.seq - y.seq);
      const icc = iccChunks.length > 0 ? Buffer.concat(iccChunks.map((c) => c.data)) : undefined;
      return { ...frame, adobeTransform, icc, scanOffset: pos - 2 };
    }
    pos += length;
  }
}

/**
 * True when PDF readers decode this JPEG as it is: DCTDecode covers baseline,
 * extended and progressive Huffman frames of 8-bit samples with 1, 3 or 4
 * components; lossless, 12-bit and arithmetic-coded JPEGs are not portable.
 */
export function isPdfCompatibleJpeg(h: JpegHeader): boolean {
  return (h.sof === 0xc0 || h.sof === 0xc1 || h.sof === 0xc2) && h.precision === 8 && [1, 3, 4].includes(h.components) && h.width > 0 && h.height > 0;
}

const EOI = Buffer.from([0xff, 0xd9]);

/**
 * True when an end-of-image marker follows the first scan. libjpeg decodes a
 * file cut just before its end marker without a warning when the last coded
 * bits happen to fill its bit buffer (about 1 file in 10), so a decode alone
 * does not prove the file whole. Inside coded data 0xff is always followed by
 * 0x00 or a restart marker, so 0xff 0xd9 after the scan is the end marker (an
 * EXIF thumbnail's own end marker lies before the scan). Bytes after it are
 * allowed: cameras pad files.
 */
export function hasEndMarker(bytes: Uint8Array, header: JpegHeader): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).lastIndexOf(EOI) > header.scanOffset;
}
