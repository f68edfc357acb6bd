/**
 * A UVC camera's MJPEG frame is a JPEG that may leave out its Huffman tables
 * (the AVI1 convention: every decoder is expected to know the standard ones).
 * Such a frame is made a complete JPEG by inserting the standard tables
 * (ITU T.81 Annex K.3) before its first scan: the camera's compressed data is
 * kept byte for byte, nothing is decoded or re-encoded.
 */

/** One DHT segment holding the four standard tables (DC/AC, luminance/chrominance). */
const STANDARD_DHT = Buffer.from(
  '/8QBogAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoLAQADAQEBAQEBAQEBAAAAAAAAAQIDBAUGBwgJCgsQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+hEAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6',
  'base64',
);

export interface JpegFrameInfo {
  width: number;
  height: number;
  components: number;
}

/** Frame size from the first SOF marker, or null when the bytes are not a JPEG. */
export function jpegFrameInfo(bytes: Buffer): JpegFrameInfo | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1;
      continue;
    }
    const length = bytes.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof && i + 10 <= bytes.length) return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7), components: bytes[i + 9]! };
    if (marker === 0xda) return null;
    i += 2 + length;
  }
  return null;
}

/** The frame itself when it has Huffman tables, else the frame with the standard tables inserted before its first scan. */
export function withHuffmanTables(bytes: Buffer): Buffer {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return bytes;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return bytes;
    const marker = bytes[i + 1]!;
    if (marker === 0xc4) return bytes;
    if (marker === 0xda) return Buffer.concat([bytes.subarray(0, i), STANDARD_DHT, bytes.subarray(i)]);
    i += 2 + bytes.readUInt16BE(i + 2);
  }
  return bytes;
}
