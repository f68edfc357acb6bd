// The scanbridge side of bench/pdf, run as its own process (as img2pdf is):
// JPEG files -> pages as the buffer stores them -> one PDF, streamed to a file.
//   node bench/pdf/ours.mjs out.pdf in1.jpg in2.jpg ...
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { readJpegHeader } from '../../packages/service/dist/formats/jpeg-markers.js';
import { writePdf } from '../../packages/service/dist/formats/pdf/pdf-writer.js';

const [out, ...inputs] = process.argv.slice(2);

async function* pages() {
  for (const file of inputs) {
    const bytes = await readFile(file);
    const h = readJpegHeader(bytes);
    yield { format: 'jpeg', bytes, width: h.width, height: h.height, xdpi: 300, ydpi: 300, mode: h.components === 1 ? 'gray' : 'color', bitDepth: 8 };
  }
}

await pipeline(Readable.from(writePdf(pages())), createWriteStream(out));
