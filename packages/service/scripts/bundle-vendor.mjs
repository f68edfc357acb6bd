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
//
// Then the service's own modules: see startBundle below.
import { build } from 'esbuild';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

const src = new URL('../src/', import.meta.url);
const dist = new URL('../dist/', import.meta.url);
const root = new URL('../../../', import.meta.url).pathname;

const REQUIRE = "import { createRequire as __vendorRequire } from 'node:module';\nconst require = __vendorRequire(import.meta.url);";
const PINO_FILES = `const __pino = __vendorRequire(require.resolve('pino'));
globalThis.__bundlerPathsOverrides = { 'pino-worker': __pino.resolve('./lib/worker.js'), 'pino/file': __pino.resolve('./file.js'), 'thread-stream-worker': __vendorRequire(__pino.resolve('thread-stream')).resolve('./lib/worker.js'), ...globalThis.__bundlerPathsOverrides };`;

// Loaded by the HTTP stack on first use, or not at all, rather than with it:
//   - Node's http2 module, which Fastify requires at load for its http2 option
//     (the service never sets it): a third of the stack's load time;
//   - ws's optional native helpers (bufferutil, utf-8-validate) when they are
//     not installed (ws then uses its own JavaScript, as before): each failed
//     require walked every node_modules folder up to the root.
const LATER = {
  name: 'later',
  setup(b) {
    b.onResolve({ filter: /^node:http2$/ }, (args) => (args.importer.includes('/node_modules/fastify/') ? { path: 'node:http2', namespace: 'on-first-use' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'on-first-use' }, (args) => ({
      contents: `let loaded; module.exports = new Proxy({}, { get: (_, key) => (loaded ??= require(${JSON.stringify(args.path)}))[key] });`,
      loader: 'js',
    }));
    b.onResolve({ filter: /^(bufferutil|utf-8-validate)$/ }, (args) => {
      try {
        createRequire(args.importer).resolve(args.path);
        return { path: args.path, external: true };
      } catch {
        return { path: args.path, namespace: 'not-installed' };
      }
    });
    b.onLoad({ filter: /.*/, namespace: 'not-installed' }, (args) => ({
      contents: `throw Object.assign(new Error(${JSON.stringify(`Cannot find module '${args.path}'`)}), { code: 'MODULE_NOT_FOUND' });`,
      loader: 'js',
    }));
  },
};

const BUNDLES = [
  {
    name: 'server/http-stack',
    external: ['pino', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'],
    banner: REQUIRE,
    plugins: [LATER],
  },
  { name: 'util/log-stack', external: [], banner: `${REQUIRE}\n${PINO_FILES}` },
  { name: 'util/zod-stack', external: [], banner: '' },
];

for (const { name, external, banner, plugins = [] } of BUNDLES) {
  const result = await build({
    entryPoints: [new URL(`${name}.ts`, src).pathname],
    outfile: new URL(`${name}.js`, dist).pathname,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    plugins,
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

// The command line and the service as tsc built them (dist/cli/main.js and
// every module it imports, at once or on first use, with @scanbridge/protocol),
// bundled into dist/bundle/, which bin/scanbridge.js runs when it is there.
// One by one, Node resolved, read and compiled some 185 files before the
// service was ready, about a fifth of its start's CPU (bench/startup); each
// chunk holds what one import, static or on first use, needs, so nothing
// loads sooner than before. Kept exactly as tsc built it:
//   - every npm package stays outside (loaded from node_modules as before),
//     and so do the vendor bundles above, as files of their own;
//   - the modules keep their own import.meta.url: each reference becomes the
//     URL of the module's file in dist, relative to the bundle (which has
//     every chunk in one folder), so the worker files, forks and package.json
//     they find beside them are found as before (device workers and worker
//     threads still run those dist files by path, in their own processes and
//     threads);
//   - nothing in a process that runs the bundle imports a file of dist by
//     path, so no module (and its state) exists twice in it: every import()
//     in the sources names its module literally (the build fails otherwise).
// cli/start-bundle.test.ts checks all of it; dist/bundle/meta.json lists
// each chunk's modules.
async function startBundle() {
  const outdir = new URL('bundle/', dist).pathname;
  const vendor = new Set(BUNDLES.map(({ name }) => new URL(`${name}.js`, dist).pathname));
  await rm(outdir, { recursive: true, force: true });
  const plugin = {
    name: 'scanbridge-start',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@scanbridge/protocol') ? undefined : { path: args.path, external: true }));
      b.onResolve({ filter: /^\.\.?\// }, (args) => {
        const file = path.resolve(args.resolveDir, args.path);
        return vendor.has(file) ? { path: `./${path.relative(outdir, file)}`, external: true } : undefined;
      });
      b.onLoad({ filter: /\.js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const url = `new URL(${JSON.stringify(path.relative(outdir, args.path))}, import.meta.url).href`;
        const contents = text.replace(/\bimport\.meta\.url\b/g, url);
        if (/\bimport\.meta\b(?!\.url)/.test(text)) throw new Error(`${args.path}: import.meta other than import.meta.url cannot be bundled`);
        // An import() of a computed name would load its module from dist, beside the bundle's copy.
        if (/\bimport\(\s*[^'"\s)]/.test(text)) throw new Error(`${args.path}: an import() that does not name its module cannot be bundled`);
        return { contents, loader: 'js' };
      });
    },
  };
  const result = await build({
    entryPoints: { main: new URL('cli/main.js', dist).pathname },
    outdir,
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    plugins: [plugin],
    metafile: true,
    logLevel: 'warning',
  });
  const chunks = {};
  let bytes = 0;
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    chunks[path.basename(file)] = Object.keys(output.inputs).map((input) => new URL(input, `file://${process.cwd()}/`).pathname.replace(root, ''));
    bytes += output.bytes;
  }
  await writeFile(path.join(outdir, 'meta.json'), `${JSON.stringify({ chunks }, null, 2)}\n`);
  const modules = Object.values(chunks).flat().length;
  console.log(`@scanbridge/service: dist/bundle/ ${(bytes / 1024).toFixed(0)} KiB in ${Object.keys(chunks).length} files from ${modules} modules`);
}
await startBundle();
