/**
 * Encryption of page files at rest. Scanned documents are often sensitive
 * (ids, contracts), and the cache folder outlives the browser tab, so nothing
 * readable is left on disk. AES-256-GCM both hides and authenticates; the
 * associated data binds a file to its session, page and version so that files
 * cannot be swapped or replayed between pages without detection.
 *
 * File layout: 'SBC1' | nonce (12) | tag (16) | ciphertext.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readSync } from 'node:fs';
import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NativeGcm } from './native-gcm.js';

const MAGIC = Buffer.from('SBC1', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = MAGIC.length + NONCE_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;

/** Bytes a sealed file adds to its plaintext. */
export const SEAL_OVERHEAD = HEADER_BYTES;

export class CipherError extends Error {
  override name = 'CipherError';
}

export function seal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  return Buffer.concat(sealParts(key, plaintext, aad));
}

/**
 * The sealed file as the parts to write one after the other: header, then
 * ciphertext. Writing them as they are saves a copy of every page stored.
 */
export function sealParts(key: Buffer, plaintext: Buffer, aad: string): Buffer[] {
  checkKey(key);
  // A fresh random nonce per file: with 96-bit nonces and far fewer than 2^32
  // files per key, a repeat (which would break GCM) is not a practical risk.
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = cipher.update(plaintext);
  const last = cipher.final();
  const header = Buffer.concat([MAGIC, nonce, cipher.getAuthTag()]);
  return last.length === 0 ? [header, body] : [header, body, last];
}

const AUTHENTICATION_FAILED = 'authentication failed (altered file, wrong key or swapped file)';

/** The nonce and tag a sealed file's header holds, once the key and the header are checked; CipherError when the header is not ours. */
function headerParts(key: Buffer, header: Buffer): { nonce: Buffer; tag: Buffer } {
  checkKey(key);
  if (header.length < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) throw new CipherError('not a scanbridge cache file');
  return { nonce: header.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES), tag: header.subarray(MAGIC.length + NONCE_BYTES, HEADER_BYTES) };
}

/** Throws CipherError when the file is not ours, was altered, or belongs to another page. */
export function open(key: Buffer, file: Buffer, aad: string): Buffer {
  const { nonce, tag } = headerParts(key, file);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  try {
    const body = decipher.update(file.subarray(HEADER_BYTES));
    // GCM gives everything from update(): skipping the concat saves a copy of every page read from the cache.
    const last = decipher.final();
    return last.length === 0 ? body : Buffer.concat([body, last]);
  } catch {
    throw new CipherError(AUTHENTICATION_FAILED);
  }
}

/**
 * Pieces a file is decrypted in: small enough to come from malloc's heap, not
 * fresh mappings, and to stay in the core's cache between the read, the
 * decryption and the copy into the output.
 */
const PIECE_BYTES = 128 * 1024;

/**
 * As open(), into `out` from byte 0 (which must hold the plaintext: the file
 * less SEAL_OVERHEAD); answers the plaintext's length. Decrypted in pieces so
 * that no buffer of the page's size is allocated. On CipherError `out` holds
 * unauthenticated bytes: its caller must not hand them out.
 */
export function openInto(key: Buffer, file: Buffer, aad: string, out: Uint8Array): number {
  if (file.length - HEADER_BYTES > out.length) throw new RangeError(`the plaintext has ${file.length - HEADER_BYTES} bytes, the output room ${out.length}`);
  function* pieces() {
    for (let i = HEADER_BYTES; i < file.length; i += PIECE_BYTES) yield file.subarray(i, Math.min(file.length, i + PIECE_BYTES));
  }
  return openPieces(key, file.subarray(0, HEADER_BYTES), aad, pieces(), out);
}

/** The file is read a piece at a time into these (each piece is decrypted before the next is read). */
let readHeader: Buffer | undefined;
let readPiece: Buffer | undefined;

/**
 * As openInto, reading the sealed file from `fd` a piece at a time: each
 * piece is decrypted while it is still in the core's cache, and no buffer of
 * the file's size is filled only to be read again (a page from the disk cache
 * crossed memory once more that way). Throws RangeError when the plaintext
 * outgrows `out`, and what reading throws as it comes. Through libcrypto
 * when the caller has it (`native`, native-gcm.ts): no buffer is allocated
 * per piece; through node:crypto otherwise.
 */
export function openFileInto(key: Buffer, fd: number, aad: string, out: Uint8Array, native: NativeGcm | null = null): number {
  const header = (readHeader ??= Buffer.allocUnsafeSlow(HEADER_BYTES));
  let got = 0;
  for (let n = -1; got < HEADER_BYTES && n !== 0; got += n) n = readSync(fd, header, got, HEADER_BYTES - got, got);
  if (native && got === HEADER_BYTES) return openFileInPlace(native, key, fd, header, aad, out);
  function* pieces() {
    readPiece ??= Buffer.allocUnsafeSlow(PIECE_BYTES);
    for (let at = HEADER_BYTES; ; ) {
      const n = readSync(fd, readPiece, 0, PIECE_BYTES, at);
      if (n === 0) return;
      at += n;
      yield readPiece.subarray(0, n);
    }
  }
  return openPieces(key, header.subarray(0, got), aad, pieces(), out);
}

let endProbe: Buffer | undefined;

/** openFileInto through libcrypto (native-gcm.ts): each piece is read into `out` and decrypted where it lies. */
function openFileInPlace(native: NativeGcm, key: Buffer, fd: number, header: Buffer, aad: string, out: Uint8Array): number {
  const { nonce, tag } = headerParts(key, header);
  const room = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  const decipher = native.decipher(key, nonce, Buffer.from(aad, 'utf8'));
  try {
    let at = 0;
    for (;;) {
      if (at === room.length) {
        // The room is full: the file must end here.
        if (readSync(fd, (endProbe ??= Buffer.alloc(1)), 0, 1, HEADER_BYTES + at) > 0) throw new RangeError(`the plaintext has more than ${room.length} bytes, the output room`);
        break;
      }
      const n = readSync(fd, room, at, Math.min(PIECE_BYTES, room.length - at), HEADER_BYTES + at);
      if (n === 0) break;
      decipher.update(room.subarray(at, at + n));
      at += n;
    }
    if (!decipher.final(tag)) throw new CipherError(AUTHENTICATION_FAILED);
    return at;
  } finally {
    decipher.free();
  }
}

function openPieces(key: Buffer, header: Buffer, aad: string, pieces: Iterable<Buffer>, out: Uint8Array): number {
  const { nonce, tag } = headerParts(key, header);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(tag);
  let at = 0;
  const put = (plain: Buffer) => {
    if (at + plain.length > out.length) throw new RangeError(`the plaintext has more than ${out.length} bytes, the output room`);
    out.set(plain, at);
    at += plain.length;
  };
  // Only the cipher's own failures are CipherError: reading's errors pass as they are.
  const authenticated = (step: () => Buffer) => {
    try {
      return step();
    } catch {
      throw new CipherError(AUTHENTICATION_FAILED);
    }
  };
  for (const piece of pieces) put(authenticated(() => decipher.update(piece)));
  put(authenticated(() => decipher.final()));
  return at;
}

/**
 * The key lives outside the cache folder (the caller passes
 * `<home>/cert/cache.key`) so that a copied cache folder alone is unreadable.
 * A key of the wrong size is an error rather than replaced: replacing it would
 * silently make every cached page unreadable.
 */
export async function loadOrCreateCacheKey(file: string): Promise<Buffer> {
  try {
    const key = await readFile(file);
    if (key.length !== KEY_BYTES) {
      throw new Error(`cache key ${file} has ${key.length} bytes, expected ${KEY_BYTES}; delete it to start with an empty cache`);
    }
    if (process.platform !== 'win32') await chmod(file, 0o600).catch(() => undefined);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(KEY_BYTES);
  // Temp-then-rename: a crash mid-write must not leave a short key behind.
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, key, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  return key;
}

function checkKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new CipherError(`cache key must be ${KEY_BYTES} bytes`);
}
