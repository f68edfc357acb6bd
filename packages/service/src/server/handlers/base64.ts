/** Files sent inside JSON (AddImage, LoadImages, StartLoad). */
import { ScanbridgeError } from '@scanbridge/protocol/core';

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Base64 (whitespace and a data: URL prefix allowed) to bytes. */
export function decodeBase64(data: string, path = 'params.data'): Buffer {
  const clean = data.replace(/^data:[^,]*;base64,/, '').replace(/\s+/g, '');
  if (!BASE64.test(clean)) throw new ScanbridgeError('invalid-params', `${path}: expected the file as base64`);
  return Buffer.from(clean, 'base64');
}
