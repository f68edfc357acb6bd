/**
 * `scanbridge barcodes FILE...`: the codes on image, PDF and TIFF files,
 * read on this machine with the service's own decoding and reader (no
 * running service needed). Text out: one line per code, `FILE[#page]<TAB>format<TAB>text`;
 * `--json`: one entry per page with the results ReadBarcodes answers.
 */
import { readFile } from 'node:fs/promises';
import { BarcodeFormat, BarcodeRegion, parseOrThrow, ScanbridgeError, type BarcodeResult } from '@scanbridge/protocol';
import { z } from 'zod';
import { openDocument } from '../formats/decode.js';
import { greyPixels, readPixels, regionPixels, type ReadOptions } from '../addons/barcode/read-page.js';
import { BarcodePool } from '../addons/barcode/worker-pool.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

interface FilePage {
  file: string;
  page: number;
  width: number;
  height: number;
  barcodes: BarcodeResult[];
  timedOut: boolean;
}

/** `X,Y,W,H` in pixels, or with a trailing % each in percent of the page. */
function parseRegion(text: string): BarcodeRegion {
  const percent = text.endsWith('%');
  const parts = (percent ? text.slice(0, -1) : text).split(',').map((p) => Number(p.trim()));
  if (parts.length !== 4 || parts.some((n) => !Number.isFinite(n))) throw new ScanbridgeError('invalid-params', `--region: expected X,Y,W,H in pixels, or X,Y,W,H% in percent, got "${text}"`);
  const [x, y, width, height] = parts as [number, number, number, number];
  return parseOrThrow(BarcodeRegion, { unit: percent ? 'percent' : 'px', x, y, width, height }, '--region');
}

export async function barcodesCommand(values: ParsedValues, files: string[]): Promise<number> {
  if (files.length === 0) {
    console.error('scanbridge barcodes: name at least one file (image, PDF or TIFF)');
    return EXIT.usage;
  }
  const formats = typeof values.formats === 'string' ? parseOrThrow(z.array(BarcodeFormat), values.formats.split(',').map((f) => f.trim()), '--formats') : undefined;
  const timeout = typeof values.timeout === 'string' ? parseOrThrow(z.coerce.number().int().min(0), values.timeout, '--timeout') : 0;
  const options: ReadOptions = {
    formats,
    region: typeof values.region === 'string' ? parseRegion(values.region) : undefined,
    maxSymbols: 255,
    tryHarder: true,
    tryRotate: true,
    tryInvert: values['try-invert'] === true,
    timeout,
  };
  const pool = new BarcodePool();
  const pages: FilePage[] = [];
  let failed = false;
  try {
    for (const file of files) {
      try {
        const doc = await openDocument(await readFile(file), { dpi: 300 });
        try {
          const reads: Promise<FilePage>[] = [];
          let n = 0;
          for await (const image of doc.pages()) {
            const page = ++n;
            // Two pages a reader thread in flight, so a long PDF is never whole in memory.
            if (reads.length >= pool.size * 2) await reads[reads.length - pool.size * 2];
            // Decoding the next page overlaps the reading of this one; the pool reads as many as it has threads.
            const pixels = greyPixels(image.bytes);
            reads.push(
              pixels.then(async (px) => {
                const area = regionPixels(options.region, px.width, px.height, `${file} page ${page}`);
                const whole = area.width === px.width && area.height === px.height;
                const read = await readPixels(pool, whole ? px : await greyPixels(image.bytes, area), area, options, `${page}`, { xdpi: image.xdpi, ydpi: image.ydpi });
                return { file, page, width: px.width, height: px.height, ...read };
              }),
            );
          }
          pages.push(...(await Promise.all(reads)));
        } finally {
          await doc.close();
        }
      } catch (err) {
        failed = true;
        const e = err as Error & { code?: string };
        console.error(`scanbridge barcodes: ${file}: ${e.code && !e.message.startsWith(e.code) ? `${e.code}: ` : ''}${e.message}`);
      }
    }
  } finally {
    await pool.close();
  }
  if (values.json) console.log(JSON.stringify(pages));
  else {
    for (const p of pages) {
      const where = p.page === 1 && !pages.some((q) => q.file === p.file && q.page > 1) ? p.file : `${p.file}#${p.page}`;
      for (const b of p.barcodes) console.log(`${where}\t${b.format}\t${JSON.stringify(b.text).slice(1, -1)}`);
      if (p.timedOut) console.error(`scanbridge barcodes: ${where}: timed out; the codes above may be incomplete`);
    }
  }
  return failed ? EXIT.failure : EXIT.ok;
}
