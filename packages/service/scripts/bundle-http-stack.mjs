#!/usr/bin/env node
// dist/server/http-stack.js as one file (src/server/http-stack.ts says why):
// Fastify, @fastify/websocket and what they require, bundled by esbuild over
// tsc's re-exports. What Fastify requires only when used stays outside, loaded
// from node_modules on first use as before, so the bundle stays small and
// server/lean-start.test.ts still sees it when it loads: the schema
// compilers (server/schema-compilers.ts) and pino (Fastify's own logger,
// which the service does not use). The list of bundled files is kept in
// dist/server/http-stack.meta.json.
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';

const dist = new URL('../dist/server/', import.meta.url);
const EXTERNAL = ['pino', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler', 'ajv', 'ajv/*', 'fast-json-stringify', 'ajv-formats', 'fast-uri'];

const result = await build({
  entryPoints: [new URL('../src/server/http-stack.ts', import.meta.url).pathname],
  outfile: new URL('http-stack.js', dist).pathname,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // CommonJS inside the bundle requires Node's own modules and the externals above.
  banner: { js: "import { createRequire as __stackRequire } from 'node:module';\nconst require = __stackRequire(import.meta.url);" },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
});
const root = new URL('../../../', import.meta.url).pathname;
const inputs = Object.keys(result.metafile.inputs).map((file) => new URL(file, `file://${process.cwd()}/`).pathname.replace(root, ''));
await writeFile(new URL('http-stack.meta.json', dist), `${JSON.stringify({ inputs }, null, 2)}\n`);
const bytes = Object.values(result.metafile.outputs)[0].bytes;
console.log(`@scanbridge/service: dist/server/http-stack.js ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} files`);
