/**
 * Save pages to a file whose extension names the format. Multi-page formats
 * (PDF, TIFF) take every page; single-page formats (JPEG, PNG) write one file
 * per page (name-1.jpg, name-2.jpg...) when there are several.
 */
import sharp from 'sharp';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StoredImage } from '../buffer/types.js';
import { writePdf } from './pdf-writer.js';

export const SAVE_FORMATS = ['.pdf', '.tif', '.tiff', '.jpg', '.jpeg', '.png'] as const;

export function formatOfPath(file: string): (typeof SAVE_FORMATS)[number] | null {
  const ext = path.extname(file).toLowerCase();
  return (SAVE_FORMATS as readonly string[]).includes(ext) ? (ext as (typeof SAVE_FORMATS)[number]) : null;
}

async function encodeSingle(page: StoredImage, ext: string): Promise<Buffer> {
  const density = Math.round(page.xdpi);
  if (ext === '.png') return page.format === 'png' ? page.bytes : sharp(page.bytes).withMetadata({ density }).png().toBuffer();
  return page.format === 'jpeg' ? page.bytes : sharp(page.bytes).withMetadata({ density }).jpeg({ quality: 90 }).toBuffer();
}

async function writeTiff(pages: StoredImage[]): Promise<Buffer> {
  const first = pages[0]!;
  if (pages.some((p) => p.width !== first.width || p.height !== first.height)) {
    throw new Error('pages of different sizes cannot be saved in one TIFF yet; save them as PDF');
  }
  const bw = pages.every((p) => p.bitDepth === 1);
  const inputs = pages.map((p) => p.bytes);
  const pipeline = inputs.length === 1 ? sharp(inputs[0]) : sharp(inputs, { join: { animated: true } });
  return pipeline
    .withMetadata({ density: Math.round(first.xdpi) })
    .tiff(bw ? { compression: 'ccittfax4', bitdepth: 1 } : { compression: 'lzw', predictor: 'horizontal' })
    .toBuffer();
}

/** Writes the file(s) and returns their paths. */
export async function savePages(pages: StoredImage[], file: string): Promise<string[]> {
  const ext = formatOfPath(file);
  if (!ext) throw new Error(`cannot tell the format of "${file}": use one of ${SAVE_FORMATS.join(', ')}`);
  if (pages.length === 0) throw new Error('there are no pages to save');
  if (ext === '.pdf') {
    await fs.writeFile(file, await writePdf(pages));
    return [file];
  }
  if (ext === '.tif' || ext === '.tiff') {
    await fs.writeFile(file, await writeTiff(pages));
    return [file];
  }
  if (pages.length === 1) {
    await fs.writeFile(file, await encodeSingle(pages[0]!, ext));
    return [file];
  }
  const base = file.slice(0, -ext.length);
  const files: string[] = [];
  for (const [i, page] of pages.entries()) {
    const name = `${base}-${i + 1}${ext}`;
    await fs.writeFile(name, await encodeSingle(page, ext));
    files.push(name);
  }
  return files;
}
