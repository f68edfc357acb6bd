#!/usr/bin/env node
// The single-file build for a <script> tag: dist/scanbridge.js defines the
// global `scanbridge` (SDK + <scan-viewer>). Bundled from tsc's output for the
// browser platform, so any Node import fails the build; the list of bundled
// files is kept in dist/scanbridge.meta.json for the layering test.
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);

const result = await build({
  entryPoints: [new URL('browser.js', dist).pathname],
  outfile: new URL('scanbridge.js', dist).pathname,
  bundle: true,
  format: 'iife',
  globalName: 'scanbridge',
  platform: 'browser',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  sourcemap: true,
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});
const root = new URL('../../../', import.meta.url).pathname;
const inputs = Object.keys(result.metafile.inputs).map((file) => new URL(file, `file://${process.cwd()}/`).pathname.replace(root, ''));
await writeFile(new URL('scanbridge.meta.json', dist), `${JSON.stringify({ inputs }, null, 2)}\n`);
const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('scanbridge.js'))].bytes;
console.log(`@scanbridge/client: dist/scanbridge.js ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} files`);
