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
  const problem = await unwritable(values.out);
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
    if (pages.length > 0 && (MULTI_PAGE.includes(format) || pages.length === 1)) {
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
    if (files.length) console.log(`${pages.length} page(s) saved to ${files.join(', ')}`);
    if (job.state !== 'done') {
      console.error(`scanbridge scan: ${job.error?.code ?? job.state}: ${job.error?.message ?? ''}`);
      return EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    await client.call('CloseSession', {}, 'f').catch(() => undefined);
  }
}
