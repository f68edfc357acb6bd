/**
 * Saving pages to a file named by the caller (the command line, which runs
 * as the user): the extension names the format. Multi-page formats (PDF,
 * TIFF) take every page; single-page formats (JPEG, PNG, BMP) write one file
 * per page (name-1.jpg, name-2.jpg...) when there are several.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { StoredImage } from '../buffer/types.js';
import { outputFiles, type OutputFormat } from './encode.js';

const BY_EXTENSION = { '.pdf': 'pdf', '.tif': 'tiff', '.tiff': 'tiff', '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.bmp': 'bmp' } as const satisfies Record<string, OutputFormat>;
export type SaveExtension = keyof typeof BY_EXTENSION;
export const SAVE_FORMATS = Object.keys(BY_EXTENSION) as SaveExtension[];

export function formatOfPath(file: string): SaveExtension | null {
  const ext = path.extname(file).toLowerCase();
  return Object.hasOwn(BY_EXTENSION, ext) ? (ext as SaveExtension) : null;
}

/** Writes the file(s) and returns their paths. */
export async function savePages(pages: StoredImage[], file: string): Promise<string[]> {
  const ext = formatOfPath(file);
  if (!ext) throw new Error(`cannot tell the format of "${file}": use one of ${SAVE_FORMATS.join(', ')}`);
  if (pages.length === 0) throw new Error('there are no pages to save');
  const files = outputFiles({ count: pages.length, get: async (i) => pages[i]! }, { format: BY_EXTENSION[ext] });
  const base = file.slice(0, -ext.length);
  const written: string[] = [];
  for (const out of files) {
    const name = files.length === 1 ? file : `${base}-${out.first + 1}${ext}`;
    await pipeline(Readable.from(out.chunks()), createWriteStream(name));
    written.push(name);
  }
  return written;
}
