import { composePage, SYMBOLOGIES } from './dist/addons/barcode/test-corpus.js';
import { greyPixels, readPixels } from './dist/addons/barcode/read-page.js';
import { BarcodePool } from './dist/addons/barcode/worker-pool.js';
import { writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const pool = new BarcodePool(2);
const variants = [
 ['clean150',{dpi:150}],['clean200',{dpi:200}],['clean300',{dpi:300}],
 ['rot90',{dpi:200,rotate:90}],['rot180',{dpi:200,rotate:180}],['rot270',{dpi:200,rotate:270}],
 ['skew4',{dpi:200,skew:4}],['skew8',{dpi:300,skew:-8}],['noise',{dpi:200,noise:25}],['blur',{dpi:300,blur:1.2}],['jpeg',{dpi:200,output:'jpeg40'}],['bw',{dpi:200,output:'bilevel',noise:15}],
];
const opts = { maxSymbols: 255, tryHarder: true, tryRotate: true, tryInvert: false, timeout: 0 };
const t0 = performance.now();
await Promise.all(variants.map(async ([name, v]) => {
  const page = await composePage({ codes: [], flow: SYMBOLOGIES, ...v });
  const f = `/tmp/bc/${name}.${page.format==='jpeg'?'jpg':'png'}`; writeFileSync(f, page.bytes);
  const t = performance.now();
  const px = await greyPixels(page.bytes);
  const r = await readPixels(pool, px, { left: 0, top: 0, width: px.width, height: px.height }, opts, 'p');
  const got = new Set(r.barcodes.map(b => b.format + ':' + b.text));
  const missing = SYMBOLOGIES.filter(s => !got.has(s.format + ':' + s.text)).map(s => s.format);
  const extra = [...got].filter(g => !SYMBOLOGIES.some(s => g === s.format + ':' + s.text));
  let zb = ''; try { zb = execFileSync('zbarimg', ['-q', f], { stdio: ['ignore','pipe','ignore'] }).toString(); } catch (e) { zb = e.stdout?.toString() ?? ''; }
  console.log(name, Math.round(performance.now() - t), 'ms missing', missing.join(','), 'extra', extra.join('|'), '\n  zbar:', zb.trim().split('\n').join(' | '));
}));
console.log('total', performance.now() - t0);
await pool.close();
