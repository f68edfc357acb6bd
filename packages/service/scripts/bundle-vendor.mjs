#!/usr/bin/env node
// The third-party modules every start loads, each bundled by esbuild into one
// file over tsc's re-exports (src/server/http-stack.ts, src/util/log-stack.ts and
// src/util/zod-stack.ts say why): dist/server/http-stack.js (Fastify, @fastify/websocket, ws),
// dist/util/log-stack.js (pino) and dist/util/zod-stack.js (zod for the
// service's own schemas). What Fastify requires only when used stays
// outside, loaded from node_modules on first use as before, so the bundle
// stays small and server/lean-start.test.ts still sees it when it loads: the
// schema compilers (server/schema-compilers.ts) and pino (Fastify's own
// logger, which the service does not use). pino's transports run worker
// files by path: the banner points pino at its files in node_modules
// (pino's __bundlerPathsOverrides), so they work from the bundle too. The
// list of bundled files is kept beside each, in <name>.meta.json.
import { build } from 'esbuild';
import { writeFile } from 'node:fs/promises';

const src = new URL('../src/', import.meta.url);
const dist = new URL('../dist/', import.meta.url);
const root = new URL('../../../', import.meta.url).pathname;

const REQUIRE = "import { createRequire as __vendorRequire } from 'node:module';\nconst require = __vendorRequire(import.meta.url);";
const PINO_FILES = `const __pino = __vendorRequire(require.resolve('pino'));
globalThis.__bundlerPathsOverrides = { 'pino-worker': __pino.resolve('./lib/worker.js'), 'pino/file': __pino.resolve('./file.js'), 'thread-stream-worker': __vendorRequire(__pino.resolve('thread-stream')).resolve('./lib/worker.js'), ...globalThis.__bundlerPathsOverrides };`;

const BUNDLES = [
  {
    name: 'server/http-stack',
    external: ['pino', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
    banner: REQUIRE,
  },
  { name: 'util/log-stack', external: [], banner: `${REQUIRE}\n${PINO_FILES}` },
  { name: 'util/zod-stack', external: [], banner: '' },
];

for (const { name, external, banner } of BUNDLES) {
  const result = await build({
    entryPoints: [new URL(`${name}.ts`, src).pathname],
    outfile: new URL(`${name}.js`, dist).pathname,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    // CommonJS inside the bundle requires Node's own modules and the externals above.
    banner: { js: banner },
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).map((file) => new URL(file, `file://${process.cwd()}/`).pathname.replace(root, ''));
  await writeFile(new URL(`${name}.meta.json`, dist), `${JSON.stringify({ inputs }, null, 2)}\n`);
  const bytes = Object.values(result.metafile.outputs)[0].bytes;
  console.log(`@scanbridge/service: dist/${name}.js ${(bytes / 1024).toFixed(0)} KiB from ${inputs.length} files`);
}
