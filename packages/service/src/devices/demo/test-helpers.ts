/** Shared by the demo driver's tests: settings, a recording sink, PNG headers and barcode decoding with zbarimg. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ScanSettings, type ScanSettingsInput } from '@scanbridge/protocol';
import type { AcquiredPage, EncodedPage, ScanProgress, ScanSink } from '../driver.js';

const run = promisify(execFile);

export const settings = (input: ScanSettingsInput = {}): ScanSettings => ScanSettings.parse(input);

export interface RecordingSink extends ScanSink {
  pages: EncodedPage[];
  progress: (p: ScanProgress) => void;
  events: ({ type: 'progress'; progress: ScanProgress } | { type: 'page'; index: number })[];
}

/** A sink that keeps everything; `onPage` runs before page() resolves. */
export function recordingSink(onPage?: (page: EncodedPage, index: number) => Promise<void> | void): RecordingSink {
  const sink: RecordingSink = {
    pages: [],
    events: [],
    progress(progress) {
      sink.events.push({ type: 'progress', progress });
    },
    async page(page: AcquiredPage) {
      if (page.kind !== 'encoded') throw new Error('the demo driver delivers encoded pages');
      sink.pages.push(page);
      sink.events.push({ type: 'page', index: sink.pages.length - 1 });
      await onPage?.(page, sink.pages.length - 1);
    },
  };
  return sink;
}

export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey + alpha, 6 RGBA. */
  colorType: number;
  /** Pixels per metre from pHYs, if present. */
  perMetre: number | null;
}

export function pngHeader(png: Buffer): PngHeader {
  if (png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  const phys = png.indexOf('pHYs', 0, 'latin1');
  return {
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
    bitDepth: png[24] ?? 0,
    colorType: png[25] ?? 0,
    perMetre: phys > 0 ? png.readUInt32BE(phys + 4) : null,
  };
}

/** Runs a tool on the PNG (as a temporary file) and returns its stdout. */
export async function withPngFile<T>(png: Buffer, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sb-demo-'));
  try {
    const path = join(dir, 'page.png');
    await writeFile(path, png);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Symbols zbarimg finds, as "TYPE:data" lines (zbarimg exits 4 when it finds none). */
export async function decodeBarcodes(png: Buffer): Promise<string[]> {
  return withPngFile(png, async (path) => {
    try {
      const { stdout } = await run('zbarimg', ['-q', path], { maxBuffer: 1 << 20 });
      return stdout.split('\n').filter(Boolean).sort();
    } catch (err) {
      if ((err as { code?: number }).code === 4) return [];
      throw err;
    }
  });
}

/** The netpbm header pngtopnm writes: "P4" (bilevel), "P5" (grey) or "P6" (colour), and the size. */
export async function pnmHeader(png: Buffer): Promise<string> {
  return withPngFile(png, async (path) => {
    const { stdout } = await run('pngtopnm', [path], { encoding: 'buffer', maxBuffer: 1 << 28 });
    return stdout.subarray(0, 32).toString('latin1').split('\n').slice(0, 2).join(' ');
  });
}
