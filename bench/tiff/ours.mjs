// The scanbridge side of bench/tiff, run as its own process (as tiffcp is):
// 1-bit PNG pages (what the buffer stores for black-and-white scans) -> one
// multi-page CCITT G4 TIFF, streamed to a file.
//   node bench/tiff/ours.mjs out.tif in1.png in2.png ...
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeTiff } from '../../packages/service/dist/formats/tiff-writer.js';

const [out, ...inputs] = process.argv.slice(2);

async function* pages() {
  for (const file of inputs) {
    const bytes = await readFile(file);
    yield { format: 'png', bytes, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), xdpi: 300, ydpi: 300, mode: 'bw', bitDepth: 1 };
  }
}

await pipeline(Readable.from(writeTiff(pages(), inputs.length, { compression: 'g4', quality: 85 })), createWriteStream(out));
