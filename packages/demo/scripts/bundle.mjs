#!/usr/bin/env node
// Bundles the demo (dist/app.js from tsc, with @scanbridge/client) into
// dist/demo.js and copies the page and its styles next to it: dist/ is the
// whole application, served by the service at /demo/ or by any static server.
import { build } from 'esbuild';
import { copyFile } from 'node:fs/promises';

const dist = new URL('../dist/', import.meta.url);
const src = new URL('../src/', import.meta.url);
await build({
  entryPoints: [new URL('app.js', dist).pathname],
  outfile: new URL('demo.js', dist).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome111', 'firefox111', 'safari16.4'],
  minify: true,
  sourcemap: true,
  logLevel: 'warning',
});
await Promise.all(['index.html', 'demo.css'].map((name) => copyFile(new URL(name, src), new URL(name, dist))));
console.log('@scanbridge/demo: dist/index.html, demo.js, demo.css');
