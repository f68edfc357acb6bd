/**
 * `scanbridge scan`: a scan job through the running service, saved to a file.
 * It is a client like any page: its own session, closed at the end. The
 * service encodes the file (SaveImages) and the command streams it to disk.
 * The extension names the format: PDF and TIFF take every page; JPEG, PNG
 * and BMP write one file per page (name-1.jpg, name-2.jpg...) when there are several.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import { Compression, ScanSettings, ScanbridgeError, parseOrThrow, type JobInfo, type OutputFormat } from '@scanbridge/protocol';
import { servicePaths } from '../config/paths.js';
import { FORMAT_OF_EXTENSION } from '../formats/encode.js';
import { DEFAULT_PDF_JPEG_QUALITY } from '../formats/pdf/pdf-images.js';
import { documentFileNames } from '../documents/file-names.js';
import { progressPrinter, runJob } from './job-progress.js';
import { ServiceClient, ServiceNotRunningError } from './service-client.js';
import { EXIT } from './usage.js';
import type { ParsedValues } from './main.js';

// A ZIP needs a page format, which the command has no flag for.
const SAVE_EXTENSIONS = Object.keys(FORMAT_OF_EXTENSION).filter((ext) => FORMAT_OF_EXTENSION[ext] !== 'zip');
const MULTI_PAGE: readonly OutputFormat[] = ['pdf', 'tiff'];

function extensionOf(file: string): string | null {
  const ext = path.extname(file).toLowerCase();
  return SAVE_EXTENSIONS.includes(ext) ? ext : null;
}

function optionValue(text: string): string | number | boolean {
  if (text === 'true' || text === 'false') return text === 'true';
  return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
}

const MM = String.raw`(\d+(?:\.\d+)?)`;

/** --paper A4 (a name), or WIDTHxHEIGHT in millimetres. */
function paperFrom(text: string): unknown {
  const size = new RegExp(`^${MM}x${MM}$`, 'i').exec(text);
  return size ? { width: Number(size[1]), height: Number(size[2]) } : text;
}

/** --area X,Y,WIDTH,HEIGHT in millimetres from the top-left corner (scanimage's -l -t -x -y). */
function areaFrom(text: string): unknown {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4 || !parts.every((p) => new RegExp(`^${MM}$`).test(p))) {
    throw new ScanbridgeError('invalid-settings', `--area ${text}: expected X,Y,WIDTH,HEIGHT in millimetres, e.g. 0,0,85.6,54`);
  }
  const [x, y, width, height] = parts.map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

function settingsFrom(values: ParsedValues): ScanSettings {
  const raw: Record<string, unknown> = {};
  if (typeof values.source === 'string') raw.source = values.source;
  if (values.duplex) raw.duplex = true;
  if (typeof values.mode === 'string') raw.mode = values.mode;
  if (typeof values.paper === 'string') raw.paper = paperFrom(values.paper);
  if (typeof values.area === 'string') raw.area = areaFrom(values.area);
  if (typeof values.dpi === 'string') raw.dpi = Number(values.dpi);
  const options: Record<string, string | number | boolean> = {};
  for (const pair of (values.option as string[] | undefined) ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ScanbridgeError('invalid-settings', `--option ${pair}: expected NAME=VALUE`);
    options[pair.slice(0, eq)] = optionValue(pair.slice(eq + 1));
  }
  raw.options = options;
  if (values.barcodes) raw.barcodes = {};
  if (typeof values['split-on'] === 'string') {
    // `change` reads better on a command line than the protocol's barcodeChange.
    const on = values['split-on'] === 'change' ? 'barcodeChange' : values['split-on'];
    raw.split = { on, ...(typeof values.pattern === 'string' ? { pattern: values.pattern } : {}), dropSeparator: values['drop-separators'] === true };
  } else if (values.pattern !== undefined || values['drop-separators']) {
    throw new ScanbridgeError('invalid-settings', '--pattern and --drop-separators go with --split-on barcode|patch|blank|change');
  }
  return parseOrThrow(ScanSettings, raw, 'settings', 'invalid-settings');
}

/** --quality and --compression as SaveImages options, or a message naming the flag. */
function encodingFrom(values: ParsedValues, format: OutputFormat): { quality?: number; compression?: Compression; ocr?: { languages: string[] } } | string {
  const out: { quality?: number; compression?: Compression; ocr?: { languages: string[] } } = {};
  if (typeof values.ocr === 'string') {
    // Searchable: the service recognises each page and lays its text under the image.
    if (format !== 'pdf') return `--ocr makes a searchable PDF: --out must end in .pdf, not ${format}`;
    const languages = values.ocr.split('+').filter(Boolean);
    if (languages.length === 0) return '--ocr: expected Tesseract language codes joined by +, e.g. deu+eng';
    out.ocr = { languages };
  }
  if (typeof values.quality === 'string') {
    const q = Number(values.quality);
    if (!Number.isInteger(q) || q < 1 || q > 100) return `--quality ${values.quality}: expected an integer from 1 to 100`;
    if (format === 'png' || format === 'bmp') return `--quality applies to .pdf, .tif and .jpg files, not ${format}`;
    out.quality = q;
  }
  if (typeof values.compression === 'string') {
    const c = Compression.safeParse(values.compression);
    if (!c.success) return `--compression ${values.compression}: expected one of ${Compression.options.join(', ')}`;
    if (format !== 'pdf' && format !== 'tiff') return `--compression applies to .pdf and .tif files, not ${format}`;
    const forPdf: readonly Compression[] = ['auto', 'jpeg', 'g4', 'lossless'];
    if (format === 'pdf' && !forPdf.includes(c.data)) return `--compression ${c.data}: a PDF takes ${forPdf.join(', ')} (${c.data} is for .tif)`;
    out.compression = c.data;
  }
  return out;
}

/**
 * Why files cannot be written at `out` (its folder missing or not writable, or
 * the file itself not writable), or null: found before the scanner moves.
 */
async function unwritable(out: string): Promise<string | null> {
  const folder = path.dirname(path.resolve(out));
  const info = await stat(folder).catch(() => null);
  if (!info) return `the folder ${folder} does not exist`;
  if (!info.isDirectory()) return `${folder} is not a folder`;
  if (await access(folder, constants.W_OK).then(() => false, () => true)) return `the folder ${folder} is not writable`;
  const file = await stat(out).catch(() => null);
  if (file?.isDirectory()) return `${out} is a folder`;
  if (file && (await access(out, constants.W_OK).then(() => false, () => true))) return `${out} is not writable`;
  return null;
}

/** The file of document n: {barcode} and {n} in the template's file name filled in, or -n added. */
function documentFile(template: string, ext: string, name: string, n: number): string {
  const dir = path.dirname(template);
  const file = path.basename(template);
  const filled = /\{(barcode|n)\}/.test(file) ? file.replaceAll('{barcode}', name).replaceAll('{n}', String(n)) : `${file.slice(0, -ext.length)}-${n}${ext}`;
  return path.join(dir, filled);
}

export async function scanCommand(home: string, values: ParsedValues): Promise<number> {
  try {
    return await scan(home, values);
  } catch (err) {
    // Scanner and usage errors have their code; anything else (the service gone half-way, a disk
    // error) is one line too: a script reads stderr, not a stack trace.
    if (err instanceof ScanbridgeError || err instanceof ServiceNotRunningError) throw err;
    console.error(`scanbridge scan: ${(err as Error).message}`);
    return EXIT.failure;
  }
}

async function scan(home: string, values: ParsedValues): Promise<number> {
  if (typeof values.device !== 'string' || typeof values.out !== 'string') {
    console.error('scanbridge scan: --device and --out are required (see `scanbridge devices` for ids)');
    return EXIT.usage;
  }
  const ext = extensionOf(values.out);
  if (!ext) {
    console.error(`scanbridge scan: --out must end in one of ${SAVE_EXTENSIONS.join(', ')}`);
    return EXIT.usage;
  }
  const format = FORMAT_OF_EXTENSION[ext]!;
  const encoding = encodingFrom(values, format);
  if (typeof encoding === 'string') {
    console.error(`scanbridge scan: ${encoding}`);
    return EXIT.usage;
  }
  const settings = settingsFrom(values);
  // JPEG pages for a PDF: kept as JPEG where they are scanned, at the quality asked, then carried
  // into the PDF as they are, instead of a lossless page decoded and encoded again at the end.
  if (format === 'pdf' && encoding.compression === 'jpeg') settings.storeJpeg = encoding.quality ?? DEFAULT_PDF_JPEG_QUALITY;
  const template = values.out;
  if (settings.split && !MULTI_PAGE.includes(format)) {
    console.error('scanbridge scan: --split-on writes one file per document: --out must end in .pdf or .tif');
    return EXIT.usage;
  }
  if (/[{}]/.test(path.dirname(template))) {
    console.error('scanbridge scan: {barcode} and {n} go in the file name of --out, not in its folder');
    return EXIT.usage;
  }
  const problem = await unwritable(settings.split ? documentFile(template, ext, 'x', 1) : values.out);
  if (problem) {
    console.error(`scanbridge scan: cannot write --out ${values.out}: ${problem}`);
    return EXIT.failure;
  }
  const showProgress = values['no-progress'] ? false : values.progress === true || process.stderr.isTTY === true;
  const { client } = await ServiceClient.fromLock(servicePaths(home).portLock, home);
  const [session] = await client.call('CreateSession', {}, 'fa');
  client.useSession(session.id);
  try {
    const device = values.device;
    const start = async (): Promise<JobInfo> => (await client.call('StartScan', { device, settings }, 'f'))[0];
    const job = await runJob(client, start, showProgress ? progressPrinter(process.stderr) : null);
    const pages = job.pageIds;
    const files: string[] = [];
    if (settings.split) {
      // One file per document, named from the code that named it (made safe by documentFileNames).
      const [docs] = await client.call('GetDocuments', {}, 'f');
      const names = documentFileNames(docs, 'document');
      let saved = 0;
      for (const [i, doc] of docs.entries()) {
        const file = documentFile(template, ext, names[i]!, i + 1);
        await client.saveTo({ format, pages: doc.pageIds, ...encoding }, file);
        files.push(file);
        saved += doc.pageIds.length;
        console.log(`${file}\t${doc.pageIds.length} page(s)${doc.barcode ? `\t${doc.barcode.format}\t${JSON.stringify(doc.barcode.text).slice(1, -1)}` : ''}`);
      }
      console.log(`${saved} page(s) in ${docs.length} document(s)`);
    } else if (pages.length > 0 && (MULTI_PAGE.includes(format) || pages.length === 1)) {
      await client.saveTo({ format, pages, ...encoding }, values.out);
      files.push(values.out);
    } else {
      const base = values.out.slice(0, -ext.length);
      for (const [i, page] of pages.entries()) {
        const file = `${base}-${i + 1}${ext}`;
        await client.saveTo({ format, pages: [page], ...encoding }, file);
        files.push(file);
      }
    }
    if (files.length && !settings.split) console.log(`${pages.length} page(s) saved to ${files.join(', ')}`);
    if (settings.barcodes && !settings.split) {
      for (const p of (await client.call('GetImagesInfo', {}, 'f'))[0]) for (const b of p.barcodes ?? []) console.log(`page ${p.index + 1}\t${b.format}\t${JSON.stringify(b.text).slice(1, -1)}`);
    }
    if (job.state !== 'done') {
      console.error(`scanbridge scan: ${job.error?.code ?? job.state}: ${job.error?.message ?? ''}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    await client.call('CloseSession', {}, 'f').catch(() => undefined);
  }
}
