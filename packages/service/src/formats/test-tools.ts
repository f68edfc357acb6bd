/**
 * What the format tests share: running the independent tools that check our
 * files (poppler, qpdf, libtiff tools, netpbm, img2pdf), reading their PNM
 * output, and a seeded random source so that generated inputs are the same
 * on every run. A missing tool fails the test: CI installs them all.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { PendingImage, StoredImage } from '../buffer/types.js';
import { openDocument, type LoadOptions } from './decode.js';

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

/** Runs a tool; rejects with its stderr when it exits non-zero. */
export function tool(cmd: string, args: string[], input?: Buffer): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr.toString()}`));
      else resolve({ stdout, stderr: stderr.toString() });
    });
    if (input) child.stdin!.end(input);
  });
}

/** An XPath 1.0 expression on an XML file, evaluated by xmllint (never fetching anything), its trailing newline dropped. */
export async function xpath(file: string, expr: string): Promise<string> {
  return (await tool('xmllint', ['--nonet', '--xpath', expr, file])).stdout.toString().replace(/\n$/, '');
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'scanbridge-formats-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface Pnm {
  width: number;
  height: number;
  /** 1 (PBM, PGM) or 3 (PPM). */
  channels: 1 | 3;
  /** 8-bit samples; PBM black is 0, white 255. */
  data: Buffer;
}

/** Reads binary PBM (P4), PGM (P5) and PPM (P6) of any maxval, as 8-bit samples. */
export function readPnm(b: Buffer): Pnm {
  let pos = 0;
  const token = (): string => {
    for (;;) {
      while (pos < b.length && /\s/.test(String.fromCharCode(b[pos]!))) pos++;
      if (b[pos] === 0x23) while (pos < b.length && b[pos] !== 0x0a) pos++;
      else break;
    }
    const start = pos;
    while (pos < b.length && !/\s/.test(String.fromCharCode(b[pos]!))) pos++;
    return b.toString('latin1', start, pos);
  };
  const magic = token();
  const width = Number(token());
  const height = Number(token());
  const maxval = magic === 'P4' ? 1 : Number(token());
  pos++; // the single whitespace before the raster
  if (magic === 'P4') {
    const stride = (width + 7) >> 3;
    const data = Buffer.alloc(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = (b[pos + y * stride + (x >> 3)]! >> (7 - (x & 7))) & 1 ? 0 : 255;
    return { width, height, channels: 1, data };
  }
  const channels = magic === 'P6' ? 3 : 1;
  if (magic !== 'P5' && magic !== 'P6') throw new Error(`unsupported PNM ${magic}`);
  const count = width * height * channels;
  const data = Buffer.alloc(count);
  if (maxval === 255) b.copy(data, 0, pos, pos + count);
  else if (maxval < 256) for (let i = 0; i < count; i++) data[i] = Math.round((b[pos + i]! * 255) / maxval);
  else for (let i = 0; i < count; i++) data[i] = b.readUInt16BE(pos + 2 * i) >> 8;
  return { width, height, channels, data };
}

/** Mean absolute difference of two equally sized sample buffers (0..255). */
export function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) throw new Error(`sizes differ: ${a.length} vs ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** A small seeded generator (mulberry32): the same inputs on every run. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every page of a file, decoded as LoadImages would (each page kept once its check has resolved). */
export async function loadAll(bytes: Buffer, opts: LoadOptions = {}): Promise<StoredImage[]> {
  const doc = await openDocument(bytes, opts);
  const pages: StoredImage[] = [];
  try {
    const pending: AsyncIterable<PendingImage> = doc.pagesAhead?.() ?? doc.pages();
    for await (const { whole, ...p } of pending) {
      await whole;
      pages.push(p);
    }
  } finally {
    await doc.close();
  }
  return pages;
}

/** Drains an encoder's chunks into one buffer. */
export async function concat(chunks: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of chunks) parts.push(c);
  return Buffer.concat(parts);
}

export async function* each<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** A PDF of A4 pages with shapes and text; `size` may make some pages another size (in points). */
export async function drawnPdf(pages: number, size: (index: number) => [number, number] = () => [595.28, 841.89]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage(size(i));
    page.drawRectangle({ x: 60, y: 600, width: 200, height: 120, color: rgb(0.9, 0.1, 0.1) });
    page.drawRectangle({ x: 300, y: 400, width: 150, height: 150, color: rgb(0.1, 0.3, 0.9) });
    page.drawText(`Invoice ${i + 1}: total 1,234.56 EUR`, { x: 60, y: 300, size: 24, font });
  }
  return Buffer.from(await doc.save());
}
