/**
 * ZXing-C++ (zxing-wasm) loaded from the installed package. By default the
 * package fetches its .wasm from a CDN; here the bytes are read from
 * node_modules and handed over, so reading a barcode never touches the
 * network (and works offline).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ReadResult, ReaderOptions } from 'zxing-wasm/reader';

const require = createRequire(import.meta.url);

let ready: Promise<typeof import('zxing-wasm/reader')> | undefined;

/** Path of the reader's .wasm inside node_modules. */
export function zxingWasmPath(): string {
  return require.resolve('zxing-wasm/reader/zxing_reader.wasm');
}

function load(): Promise<typeof import('zxing-wasm/reader')> {
  ready ??= (async () => {
    const zxing = await import('zxing-wasm/reader');
    const path = zxingWasmPath();
    const bytes = readFileSync(path);
    // Emscripten still asks locateFile for a name when it has the bytes; the local path keeps the CDN out of it.
    await zxing.prepareZXingModule({ overrides: { wasmBinary: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, locateFile: () => path }, fireImmediately: true });
    return zxing;
  })();
  return ready;
}

/**
 * Reads codes in 8-bit grey pixels (one byte a pixel, rows top to bottom).
 * The pixels go in as a binary PGM, which ZXing decodes without a copy to RGBA.
 */
export async function readGrey(grey: Uint8Array, width: number, height: number, options: ReaderOptions): Promise<ReadResult[]> {
  const zxing = await load();
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const pgm = new Uint8Array(header.length + grey.length);
  pgm.set(header, 0);
  pgm.set(grey, header.length);
  return zxing.readBarcodes(pgm, options);
}
