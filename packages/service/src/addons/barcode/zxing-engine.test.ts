/**
 * The reader's WebAssembly comes from node_modules: with every way out to the
 * network closed (fetch throws, sockets refuse to connect), the engine loads
 * and reads a code. zxing-wasm's default would fetch the .wasm from a CDN.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { existsSync } from 'node:fs';

const attempts: string[] = [];
globalThis.fetch = ((input: unknown) => {
  attempts.push(`fetch ${String(input)}`);
  throw new Error('network is off in this test');
}) as typeof fetch;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  attempts.push(`connect ${JSON.stringify(args[0])}`);
  return (connect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof connect;

describe('zxing engine', () => {
  it('loads its .wasm from node_modules and reads a QR code without touching the network', async () => {
    const { readGrey, zxingWasmPath } = await import('./zxing-engine.js');
    const { greyPixels } = await import('./read-page.js');
    const { renderCode, symbology } = await import('./test-corpus.js');
    assert.ok(zxingWasmPath().includes('node_modules') && existsSync(zxingWasmPath()));
    const qr = symbology('QRCode');
    const px = await greyPixels(await renderCode(qr, 200));
    const found = await readGrey(px.grey, px.width, px.height, { formats: ['QRCodeModel2'] });
    assert.deepEqual(
      found.map((r) => r.text),
      [qr.text],
    );
    assert.deepEqual(attempts, []);
  });
});
