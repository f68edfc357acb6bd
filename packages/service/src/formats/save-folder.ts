/**
 * Writing into a folder the administrator allowed (SaveFolders): the page
 * names the folder by its index and may wish for a file name; the service
 * makes the name safe (no path, no traversal, no device names, no control
 * characters), never replaces an existing file unless asked, and never
 * follows a link planted at the file's name.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';

const WINDOWS_DEVICES = /^(con|prn|aux|nul|com[0-9]|lpt[0-9]|conin\$|conout\$)$/i;
const MAX_NAME_BYTES = 200;

/** A timestamped default: scan-20240501-102030. */
export function defaultBaseName(now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `scan-${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
}

/**
 * The base name (without extension) to use for a wished name: path parts
 * dropped, characters no file system takes replaced, the extension of the
 * format removed (the service adds it), at most 200 bytes of UTF-8.
 */
export function safeBaseName(wish: string | undefined, extensions: readonly string[], fallback: string): string {
  if (wish === undefined) return fallback;
  let name = wish.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const lower = name.toLowerCase();
  const ext = extensions.find((e) => lower.endsWith(e));
  if (ext) name = name.slice(0, -ext.length);
  name = name
    .replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (WINDOWS_DEVICES.test(name.split('.')[0] ?? '')) name = `_${name}`;
  while (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) name = [...name].slice(0, -1).join('');
  return name === '' ? fallback : name;
}

/** The allowed folder behind an index, or path-not-allowed. */
export async function allowedFolder(folders: readonly string[], index: number): Promise<string> {
  if (folders.length === 0) {
    throw new ScanbridgeError('path-not-allowed', 'saving to disk is off: no folder is allowed (SaveFolders in scanbridge.ini is empty); take the file as base64 or binary instead');
  }
  const folder = folders[index];
  if (folder === undefined) {
    throw new ScanbridgeError('path-not-allowed', `params.folder: ${index} is not an allowed folder; SaveFolders lists ${folders.length} (0 to ${folders.length - 1})`, { folders: folders.length });
  }
  const stat = await fs.stat(folder).catch(() => undefined);
  if (!stat?.isDirectory()) throw new ScanbridgeError('path-not-allowed', `allowed folder ${index} does not exist or is not a folder; ask the administrator to create it`);
  return folder;
}

export interface WrittenFile {
  name: string;
  size: number;
}

/**
 * Writes the chunks to `<folder>/<base><ext>`. Without `overwrite` a taken
 * name becomes base-2, base-3...: the file is created exclusively, which also
 * refuses a symbolic link planted under the name. With `overwrite` the file
 * is written under a temporary name and renamed over the old one, so a
 * failed save leaves the old file whole.
 */
export async function writeIntoFolder(folder: string, base: string, ext: string, overwrite: boolean, chunks: AsyncIterable<Buffer>): Promise<WrittenFile> {
  if (overwrite) {
    const name = `${base}${ext}`;
    const target = path.join(folder, name);
    const existing = await fs.lstat(target).catch(() => undefined);
    if (existing && !existing.isFile()) throw new ScanbridgeError('path-not-allowed', `"${name}" in the folder is not a plain file; it is not replaced`);
    const temp = path.join(folder, `.${base}.${randomBytes(6).toString('hex')}.part`);
    const size = await writeExclusive(temp, chunks);
    try {
      await fs.rename(temp, target);
    } catch (err) {
      await fs.rm(temp, { force: true });
      throw err;
    }
    return { name, size };
  }
  for (let n = 1; n <= 1000; n++) {
    const name = n === 1 ? `${base}${ext}` : `${base}-${n}${ext}`;
    try {
      return { name, size: await writeExclusive(path.join(folder, name), chunks) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new ScanbridgeError('path-not-allowed', `1000 files named like "${base}${ext}" exist in the folder; choose another file name`);
}

/**
 * Creates the file (failing with EEXIST if anything is there) and writes
 * into it; removes it again on failure. Each chunk is written before the next
 * is asked for: a PDF's page may come in a slot reused once the next chunk is
 * asked for (leasedBufferPages), so nothing may read ahead of the disk.
 */
async function writeExclusive(file: string, chunks: AsyncIterable<Buffer>): Promise<number> {
  const handle = await fs.open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
  let size = 0;
  try {
    try {
      for await (const chunk of chunks) {
        for (let at = 0; at < chunk.length; ) at += (await handle.write(chunk, at, chunk.length - at, size + at)).bytesWritten;
        size += chunk.length;
      }
    } finally {
      await handle.close();
    }
  } catch (err) {
    await fs.rm(file, { force: true });
    throw err;
  }
  return size;
}
