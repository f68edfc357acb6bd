/**
 * `scanbridge ocr FILE...`: the text of image, PDF and TIFF files,
 * recognised on this machine with the service's own engine (pool, working
 * copy turned upright and deskewed); no running service needed. Out: the
 * text on stdout, pages separated by a form feed (as tesseract writes
 * them), or into `--out`: x.txt (the text), x.xml (ALTO 4), x.hocr (hOCR)
 * or x.pdf (a searchable PDF: each page's image as saving writes it, its
 * text invisible under it); `--json`: the page model of every page (blocks,
 * lines, words with boxes in page pixels).
 */
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import path from 'node:path';
import { OcrLanguages, parseOrThrow, ScanbridgeError, type OcrPage } from '@scanbridge/protocol';
import type { StoredImage } from '../buffer/types.js';
import { outputFiles } from '../formats/encode.js';
import { altoXml } from '../formats/alto.js';
import { hocrHtml } from '../formats/hocr.js';
import { VERSION } from '../version.js';
import { z } from 'zod';
import { openDocument } from '../formats/decode.js';
import { recognizeImage } from '../addons/ocr/recognize-buffer.js';
import { OcrPool } from '../addons/ocr/worker-pool.js';
import { setOcrAdminDir } from '../addons/ocr/languages.js';
import { servicePaths } from '../config/paths.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

export async function ocrCommand(home: string, values: ParsedValues, files: string[]): Promise<number> {
  // Languages an administrator added to the service folder count here too.
  setOcrAdminDir(servicePaths(home).ocr);
  if (files.length === 0) {
    console.error('scanbridge ocr: name at least one file (image, PDF or TIFF)');
    return EXIT.usage;
  }
  const languages = parseOrThrow(OcrLanguages, typeof values.lang === 'string' ? values.lang.split('+').filter(Boolean) : ['eng'], '--lang');
  const psm = typeof values.psm === 'string' ? parseOrThrow(z.coerce.number().int().min(1).max(13), values.psm, '--psm') : 3;
  const out = typeof values.out === 'string' ? values.out : undefined;
  const ext = out ? path.extname(out).toLowerCase() : '';
  const OUTS = ['.txt', '.xml', '.hocr', '.pdf'];
  if (out && !OUTS.includes(ext)) throw new ScanbridgeError('invalid-params', `--out: expected a file ending in ${OUTS.join(', ')} (text, ALTO, hOCR, searchable PDF), got ${JSON.stringify(path.basename(out))}`);
  // The searchable PDF writes each page's image as it came: those are kept until it is written.
  const images: StoredImage[] = [];
  const pool = new OcrPool();
  const pages: (OcrPage & { file: string; page: number })[] = [];
  let failed = false;
  try {
    for (const file of files) {
      try {
        const doc = await openDocument(await readFile(file), { dpi: 300 });
        try {
          const reads: Promise<OcrPage & { file: string; page: number }>[] = [];
          let n = 0;
          for await (const image of doc.pages()) {
            const page = ++n;
            if (ext === '.pdf') images.push(image);
            // Two pages a thread in flight, so a long PDF is never whole in memory.
            if (reads.length >= pool.size * 2) await reads[reads.length - pool.size * 2];
            reads.push(recognizeImage(pool, image, `${page}`, { languages, psm, orient: true, deskew: true }).then((r) => ({ ...r, file, page })));
          }
          pages.push(...(await Promise.all(reads)));
        } finally {
          await doc.close();
        }
      } catch (err) {
        failed = true;
        const e = err as Error & { code?: string };
        console.error(`scanbridge ocr: ${file}: ${e.code && !e.message.startsWith(e.code) ? `${e.code}: ` : ''}${e.message}`);
        if (e.code === 'ocr-language-missing') break;
      }
    }
  } finally {
    await pool.close();
  }
  if (values.json) console.log(JSON.stringify(pages));
  else if (out && ext === '.pdf') {
    if (pages.length === images.length && pages.length > 0) {
      const [file] = outputFiles({ count: images.length, get: async (i) => images[i]!, text: async (i) => pages[i]! }, { format: 'pdf', ocr: { languages } });
      await pipeline(Readable.from(file!.chunks()), createWriteStream(out));
    }
  } else if (out && ext === '.xml') await writeFile(out, altoXml(pages, { softwareVersion: VERSION, fileName: files.length === 1 ? path.basename(files[0]!) : undefined }));
  else if (out && ext === '.hocr') await writeFile(out, hocrHtml(pages, { fileName: files.length === 1 ? path.basename(files[0]!) : undefined }));
  else {
    const text = pages.map((p) => `${p.text}\n`).join('\f');
    if (out) await writeFile(out, text);
    else process.stdout.write(text);
  }
  return failed ? EXIT.failure : EXIT.ok;
}
