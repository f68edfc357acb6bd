/**
 * The two Tesseracts a thread can drive, both answering TSV (tsv.ts):
 * - the system `tesseract` (a process per page, OMP_THREAD_LIMIT=1 so a
 *   pool of N threads uses N cores), when installed with the languages;
 * - tesseract.js (WebAssembly), everywhere: its worker and core come from
 *   node_modules, its languages from a folder of links (langPath), and
 *   cacheMethod 'none' keeps it from writing .traineddata files into the
 *   working folder or fetching anything.
 * Input is a binary PGM: both decode it without a copy or a codec; the
 * system one gets it as a file (imageFile), not a pipe.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { parentPort, threadId } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { linkFolder } from './tessdata-links.js';
import type { EngineChoice, Orientation } from './worker-protocol.js';

const require = createRequire(import.meta.url);

interface TjsWorker {
  setParameters(p: Record<string, string>): Promise<unknown>;
  recognize(image: Buffer, options: object, output: object): Promise<{ data: { tsv: string | null } }>;
  detect(image: Buffer): Promise<{ data: { orientation_degrees: number | null; orientation_confidence: number | null; script: string | null } }>;
  terminate(): Promise<unknown>;
}
interface Tjs {
  createWorker(langs: string, oem: number, options: object): Promise<TjsWorker>;
}

const tjsRoot = (): string => path.dirname(require.resolve('tesseract.js/package.json'));

/** Where tesseract.js finds its pieces: all local files, so nothing is fetched. */
export function tjsPaths(langPath: string): { langPath: string; workerPath: string; corePath: string; cacheMethod: 'none'; gzip: false } {
  return {
    langPath,
    workerPath: path.join(tjsRoot(), 'src', 'worker-script', 'node', 'index.js'),
    corePath: path.dirname(require.resolve('tesseract.js-core/package.json')),
    cacheMethod: 'none',
    // Files are read as they are; gzipped ones are recognised by their magic bytes.
    gzip: false,
  };
}

export function pgm(grey: Uint8Array, width: number, height: number): Buffer {
  const header = Buffer.from(`P5\n${width} ${height}\n255\n`, 'latin1');
  return Buffer.concat([header, grey]);
}

const quarter = (d: number | null | undefined): Orientation['rotation'] => (d === 90 || d === 180 || d === 270 ? d : 0);

/**
 * Pages a tesseract.js worker reads before it is replaced: its WebAssembly
 * memory grows with every page and is never given back (tesseract.js #977
 * advises replacing workers), and it adapts to the pages it has read, which
 * must not carry over from one batch to the next without bound. A new
 * worker costs about a second; at this count that is about 1 % of the time.
 */
export const JS_PAGES_PER_WORKER = 100;

/** One tesseract.js worker for the current languages, one for osd, made when first needed and replaced after JS_PAGES_PER_WORKER pages. */
export class JsEngine {
  #worker: TjsWorker | null = null;
  #key = '';
  #read = 0;
  #osd: TjsWorker | null = null;
  #osdRead = 0;
  /** Recognition workers made so far (for tests). */
  made = 0;

  constructor(readonly pagesPerWorker = JS_PAGES_PER_WORKER) {}

  async #ensure(choice: EngineChoice, languages: string[]): Promise<TjsWorker> {
    const files = Object.fromEntries(languages.map((l) => [l, choice.files![l]!]));
    const folder = linkFolder(files);
    const key = JSON.stringify([languages, folder]);
    if (this.#worker && this.#key === key && this.#read < this.pagesPerWorker) return this.#worker;
    await this.#worker?.terminate();
    this.#worker = null;
    this.#read = 0;
    const T = require('tesseract.js') as Tjs;
    // OEM 1: LSTM only (the bundled best_int models have no legacy part).
    this.#worker = await T.createWorker(languages.join('+'), 1, tjsPaths(folder));
    this.made++;
    this.#key = key;
    return this.#worker;
  }

  async recognize(choice: EngineChoice, image: Buffer, dpi: number, languages: string[], psm: number): Promise<string> {
    const w = await this.#ensure(choice, languages);
    this.#read++;
    await w.setParameters({ tessedit_pageseg_mode: String(psm), user_defined_dpi: String(Math.round(dpi)) });
    const r = await w.recognize(image, {}, { text: false, tsv: true });
    return r.data.tsv ?? '';
  }

  async orientation(choice: EngineChoice, image: Buffer): Promise<Orientation> {
    if (this.#osd && this.#osdRead >= this.pagesPerWorker) {
      await this.#osd.terminate();
      this.#osd = null;
    }
    if (!this.#osd) {
      this.#osdRead = 0;
      const T = require('tesseract.js') as Tjs;
      // OSD needs the legacy engine: OEM 0 and tesseract.js's legacy core.
      this.#osd = await T.createWorker('osd', 0, { ...tjsPaths(linkFolder({ osd: choice.files!['osd']! })), legacyCore: true, legacyLang: true });
    }
    this.#osdRead++;
    const r = await this.#osd.detect(image);
    return { rotation: quarter(r.data.orientation_degrees), confidence: r.data.orientation_confidence ?? 0, script: r.data.script ?? '' };
  }

  async close(): Promise<void> {
    await Promise.all([this.#worker?.terminate(), this.#osd?.terminate()]);
    this.#worker = this.#osd = null;
  }
}

/**
 * The image as a file the child can open, on Linux: tesseract reads `stdin`
 * through std::cin a character at a time, about 0.2 s of CPU for an A4 page
 * at 300 dpi (12 % of reading it; bench/ocr). The file is unlinked as soon
 * as it is open, so no page is left on disk whatever happens to the thread;
 * the child opens it again as /dev/fd/3 (Linux reopens a deleted file there).
 */
async function imageFile(image: Buffer): Promise<FileHandle | null> {
  if (process.platform !== 'linux') return null;
  try {
    // Created new (wx, so never another's file), private, and gone from the folder at once.
    const file = path.join(tmpdir(), `scanbridge-ocr-${process.pid}-${threadId}-${randomBytes(8).toString('hex')}.pgm`);
    const handle = await open(file, 'wx+', 0o600);
    await unlink(file);
    try {
      await handle.writeFile(image);
    } catch (err) {
      await handle.close();
      throw err;
    }
    return handle;
  } catch {
    // No writable temporary folder (or it is full): the pipe works, only slower.
    return null;
  }
}

/** Runs the system tesseract once on `image`, answering its stdout. */
async function run(choice: EngineChoice, args: string[], image: Buffer): Promise<string> {
  const all = [...(choice.tessdataDir ? ['--tessdata-dir', choice.tessdataDir] : []), ...args];
  const file = await imageFile(image);
  try {
    return await runOn(choice, all, image, file);
  } finally {
    await file?.close();
  }
}

function runOn(choice: EngineChoice, all: string[], image: Buffer, file: FileHandle | null): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(choice.command ?? 'tesseract', [file ? '/dev/fd/3' : 'stdin', 'stdout', ...all], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: file ? ['ignore', 'pipe', 'pipe', file.fd] : ['pipe', 'pipe', 'pipe'],
    });
    const pid = child.pid;
    if (pid !== undefined) parentPort?.postMessage({ child: pid, running: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.stdin?.on('error', () => undefined);
    child.on('close', (code, signal) => {
      if (pid !== undefined) parentPort?.postMessage({ child: pid, running: false });
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new Error(`tesseract ${signal ? `was killed (${signal})` : `exited with ${code}`}: ${Buffer.concat(err).toString('utf8').trim().split('\n').slice(-2).join(' ')}`));
    });
    child.stdin?.end(image);
  });
}

export const CliEngine = {
  recognize(choice: EngineChoice, image: Buffer, dpi: number, languages: string[], psm: number): Promise<string> {
    return run(choice, ['--dpi', String(Math.round(dpi)), '--psm', String(psm), '-l', languages.join('+'), 'tsv'], image);
  },
  async orientation(choice: EngineChoice, image: Buffer, dpi: number): Promise<Orientation> {
    let out: string;
    try {
      out = await run(choice, ['--dpi', String(Math.round(dpi)), '--psm', '0'], image);
    } catch (err) {
      // Too few characters to decide is an answer, not a failure.
      if (/Too few characters/i.test((err as Error).message)) return { rotation: 0, confidence: 0, script: '' };
      throw err;
    }
    const field = (name: string) => /:\s*(.+)/.exec(out.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1]?.trim();
    return { rotation: quarter(Number(field('Rotate'))), confidence: Number(field('Orientation confidence') ?? 0), script: field('Script') ?? '' };
  },
};
