/**
 * tesseract.js, the everywhere engine, runs from node_modules alone: in a
 * child process whose every way out to the network is closed (fetch throws,
 * sockets refuse to connect; the engine's own worker thread loads the same
 * guard) and whose working folder is empty, it reads a page, answers
 * engine 'tesseract.js', touches no network and writes no file there.
 * The pool replaces a thread that dies mid-page (ocr-engine-crashed).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol';
import { OcrPool } from './worker-pool.js';
import { recognizeImage } from './recognize-buffer.js';
import { textPage } from './test-pages.js';
import { JsEngine, pgm } from './engines.js';
import { chooseEngine } from './engine-choice.js';
import { parseTsv } from './tsv.js';
import { ocrSample } from '../../formats/ocr-sample.js';
import { sharp } from '../../imaging/sharp.js';

const GUARD = `
import net from 'node:net';
import { appendFileSync } from 'node:fs';
const log = process.env.NET_LOG;
const note = (what) => appendFileSync(log, what + '\\n');
globalThis.fetch = (input) => { note('fetch ' + String(input)); throw new Error('network is off in this test'); };
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) { note('connect ' + JSON.stringify(args[0])); throw new Error('network is off in this test'); };
`;

describe('tesseract.js engine', () => {
  it('reads a page from node_modules alone: no network, no file in the working folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sb-ocr-offline-'));
    const cwd = path.join(dir, 'cwd');
    const guard = path.join(dir, 'guard.mjs');
    const log = path.join(dir, 'net.log');
    try {
      writeFileSync(guard, GUARD);
      writeFileSync(log, '');
      const page = await textPage({ text: 'de', dpi: 200, font: 'dejavu-sans' });
      writeFileSync(path.join(dir, 'page.png'), page.bytes);
      const script = `
        import { readFileSync } from 'node:fs';
        const { OcrPool } = await import(${JSON.stringify(new URL('./worker-pool.js', import.meta.url).href)});
        const { recognizeImage } = await import(${JSON.stringify(new URL('./recognize-buffer.js', import.meta.url).href)});
        const pool = new OcrPool(1);
        const bytes = readFileSync(${JSON.stringify(path.join(dir, 'page.png'))});
        const p = await recognizeImage(pool, { bytes, width: ${page.width}, height: ${page.height}, xdpi: 200, ydpi: 200 }, 'p', { languages: ['deu'], psm: 3, orient: true, deskew: true });
        await pool.close();
        console.log(JSON.stringify({ engine: p.engine, text: p.text }));
      `;
      const { mkdirSync } = await import('node:fs');
      mkdirSync(cwd);
      writeFileSync(path.join(dir, 'read.mjs'), script);
      // Worker threads inherit --import: the engine's threads run behind the same guard.
      const r = spawnSync(process.execPath, ['--import', guard, path.join(dir, 'read.mjs')], { cwd, env: { ...process.env, SCANBRIDGE_OCR_ENGINE: 'tesseract.js', NET_LOG: log }, encoding: 'utf8', maxBuffer: 1 << 24 });
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { engine: string; text: string };
      assert.equal(out.engine, 'tesseract.js');
      assert.match(out.text, /Größere Pakete nimmt die Poststelle an/);
      const { readFileSync } = await import('node:fs');
      assert.equal(readFileSync(log, 'utf8'), '');
      assert.deepEqual(readdirSync(cwd), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`a worker is replaced after its pages (its WebAssembly memory only grows), and the next reads as well`, async () => {
    const engine = new JsEngine(2);
    try {
      const choice = chooseEngine(['eng'], 'tesseract.js');
      const sample = ocrSample({ blocks: [['Invoice number dated March']], dpi: 150, inches: [3, 0.8] });
      const { data, info } = await sharp(sample.image).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
      const image = pgm(data, info.width, info.height);
      const texts: string[] = [];
      for (let i = 0; i < 3; i++) texts.push(parseTsv(await engine.recognize(choice, image, 150, ['eng'], 6)).text);
      assert.deepEqual(texts, Array(3).fill('Invoice number dated March'));
      assert.equal(engine.made, 2);
    } finally {
      await engine.close();
    }
  });

  it('a thread that dies mid-page fails the call with ocr-engine-crashed and is replaced', async () => {
    const pool = new OcrPool(1);
    try {
      const page = await textPage({ text: 'en', dpi: 200, font: 'liberation-sans' });
      const image = { bytes: page.bytes, width: page.width, height: page.height, xdpi: 200, ydpi: 200 };
      const opts = { languages: ['eng'], psm: 3, orient: false, deskew: true };
      const running = recognizeImage(pool, image, 'p', opts);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(pool.killBusyWorkerForTest(), true);
      await assert.rejects(running, (err: unknown) => err instanceof ScanbridgeError && err.code === 'ocr-engine-crashed' && /replaced/.test(err.message));
      const again = await recognizeImage(pool, image, 'p', opts);
      assert.match(again.text, /quarterly report/);
      assert.equal(pool.started, 2);
    } finally {
      await pool.close();
    }
  });
});
