/**
 * `scanbridge ocr FILE...`: the text of image, PDF and TIFF files,
 * recognised on this machine with the service's own engine (pool, working
 * copy turned upright and deskewed); no running service needed. Out: the
 * text on stdout, pages separated by a form feed (as tesseract writes
 * them), or into `--out x.txt`; `--json`: the page model of every page
 * (blocks, lines, words with boxes in page pixels).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OcrLanguages, parseOrThrow, ScanbridgeError, type OcrPage } from '@scanbridge/protocol';
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
  if (out && ext !== '.txt') {
    // ALTO (.xml) and the searchable PDF come from the writers in formats/, not in this build yet.
    throw new ScanbridgeError('invalid-params', `--out: ${ext || 'a file without extension'} is not available in this build yet; allowed: .txt`);
  }
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
  else {
    const text = pages.map((p) => `${p.text}\n`).join('\f');
    if (out) await writeFile(out, text);
    else process.stdout.write(text);
  }
  return failed ? EXIT.failure : EXIT.ok;
}
