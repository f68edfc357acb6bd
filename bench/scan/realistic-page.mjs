// A realistic scanned page for bench/scan: the demo scanner's A4 document
// (text, a table, barcodes, a photo) at 300 dpi in colour, as a scanner's
// sensor sees it: paper a little off white and noise of about 3 levels in
// every sample (deterministic), written as a PPM for SANE's `pnm` backend.
// Scanner noise is what makes pages expensive to store losslessly: deflate
// finds few matches in it.
import { writeFile } from 'node:fs/promises';
import { ScanSettings } from '../../packages/protocol/dist/index.js';
import { DemoDriver } from '../../packages/service/dist/devices/demo/index.js';
import { sharp } from '../../packages/service/dist/imaging/sharp.js';

export async function writeRealisticPage(file) {
  let png;
  const sink = { async page(p) { png = p.bytes; }, progress() {} };
  await new DemoDriver().scan('demo:flatbed', ScanSettings.parse({ dpi: 300, mode: 'color', paper: 'A4' }), sink, new AbortController().signal);
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let seed = 12345;
  const uniform = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff;
  for (let i = 0; i < data.length; i++) {
    // The sum of three uniforms is close to normal; standard deviation 3.
    const noise = (uniform() + uniform() + uniform() - 1.5) * 6;
    data[i] = Math.max(0, Math.min(255, Math.round(data[i] * 0.96 + 4 + noise)));
  }
  await writeFile(file, Buffer.concat([Buffer.from(`P6\n${info.width} ${info.height}\n255\n`), data]));
  return { width: info.width, height: info.height };
}
