/**
 * A started service that nobody has asked for an image holds none of the heavy
 * libraries: they are loaded when first used (issue 11.8). Checked from the
 * outside on a real service process: the ES modules it imported (a loader
 * hook preloaded with --import) and the shared libraries it mapped
 * (/proc/<pid>/maps), after start and a ListDevices; then one scan and one
 * thumbnail show that the check does see them once they are used.
 */
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobInfo } from '@scanbridge/protocol';
import { VERSION_CODE } from '../version.js';
import { adminHeaders, rpc, startChild, tempHome, type ChildService } from '../test-support/service-harness.js';

const TRACE_HOOKS = fileURLToPath(new URL('../test-support/module-trace.fixture.js', import.meta.url));

/** The modules of each file of the start bundle (dist/bundle/meta.json, written by scripts/bundle-vendor.mjs). */
const BUNDLE_CHUNKS = (JSON.parse(readFileSync(fileURLToPath(new URL('../bundle/meta.json', import.meta.url)), 'utf8')) as { chunks: Record<string, string[]> }).chunks;

/** What marks a module of dist as loaded: its own file, or the file of the start bundle that holds it. */
function distModule(pattern: RegExp): RegExp {
  const chunks = Object.entries(BUNDLE_CHUNKS)
    .filter(([, modules]) => modules.some((module) => pattern.test(`/${module}`)))
    .map(([chunk]) => `/service/dist/bundle/${chunk.replace(/\./g, '\\.')}$`);
  return new RegExp([pattern.source, ...chunks].join('|'));
}

/** Packages that cost start-up time or resident memory, and what marks each as loaded. */
const HEAVY = [
  { name: 'sharp (libvips)', module: /\/node_modules\/sharp\//, library: /sharp|libvips/ },
  { name: '@napi-rs/canvas', module: /\/node_modules\/@napi-rs\/canvas/, library: /canvas/ },
  { name: 'koffi', module: /\/node_modules\/koffi\//, library: /koffi/ },
  { name: 'pdf-lib', module: /\/node_modules\/pdf-lib\// },
  { name: 'pdfjs-dist', module: /\/node_modules\/pdfjs-dist\// },
  { name: 'bwip-js', module: /\/node_modules\/bwip-js\// },
  { name: 'zxing-wasm', module: /\/node_modules\/zxing-wasm\// },
  { name: 'yazl', module: /\/node_modules\/yazl\// },
  { name: '@peculiar/x509', module: /\/node_modules\/@peculiar\/x509\// },
  { name: 'tesseract.js', module: /\/node_modules\/tesseract\.js\// },
  // Network scanners: mDNS browsing starts after the service is ready (here it is off), the eSCL XML on a first call to a network scanner.
  { name: 'multicast-dns', module: /\/node_modules\/multicast-dns\// },
  { name: 'fast-xml-parser', module: /\/node_modules\/fast-xml-parser\// },
  // Fastify's schema compilers: no route of the service declares a schema.
  { name: 'ajv', module: /\/node_modules\/ajv\// },
  { name: 'fast-json-stringify', module: /\/node_modules\/fast-json-stringify\/index\.js/ },
  // The protocol's zod schemas (its main entry): a plain envelope and an exact method's params need none (util/full-protocol.ts).
  { name: '@scanbridge/protocol schemas', module: distModule(/\/protocol\/dist\/(index|methods|models)\.js$/) },
  // The file encoders (PDF writer, TIFF, ZIP...): with the first LoadImages, SaveImages or StartUpload.
  { name: 'the file encoders', module: distModule(/\/service\/dist\/formats\/encode\.js$/) },
];

let home: string;
let trace: string;
let svc: ChildService;
before(async () => {
  home = await tempHome();
  trace = path.join(home, 'modules.trace');
  // The first start makes the certificate (which needs the x509 library); every later start only reads it.
  await (await startChild(home)).stop();
  svc = await startChild(home, [], { NODE_OPTIONS: `--import=${TRACE_HOOKS}`, SCANBRIDGE_MODULE_TRACE: trace });
});
after(async () => {
  await svc.stop();
  await rm(home, { recursive: true, force: true });
});

/** The files the service process has loaded, ES modules and CommonJS. */
async function moduleUrls(): Promise<string[]> {
  const pid = svc.child.pid!;
  return (await readFile(trace, 'utf8'))
    .split('\n')
    .filter((line) => line.startsWith(`${pid} `))
    .map((line) => line.slice(line.indexOf(' ') + 1));
}

/** Which heavy packages the service process has loaded, as ES modules or as mapped libraries. */
async function loaded(): Promise<string[]> {
  const pid = svc.child.pid!;
  const modules = await moduleUrls();
  assert.ok(modules.some((url) => /\/service\/dist\/bundle\/service-\w+\.js$/.test(url)), 'the trace sees the service modules');
  const libraries = (await readFile(`/proc/${pid}/maps`, 'utf8')).split('\n').map((line) => line.split(/\s+/)[5] ?? '').filter((file) => file.startsWith('/'));
  return HEAVY.filter((h) => modules.some((url) => h.module.test(url)) || (h.library && libraries.some((file) => h.library.test(path.basename(file))))).map((h) => h.name);
}

/**
 * The files of the service and the protocol (dist folders) the service process loaded that are not
 * in the start bundle (scripts/bundle-vendor.mjs) nor one of the vendor bundles: the bundle holds
 * every module the command line imports, so any other would be a second copy of a bundled module.
 */
async function besideTheBundle(): Promise<string[]> {
  return (await moduleUrls()).filter((url) => /\/packages\/(service|protocol)\/dist\//.test(url) && !/\/service\/dist\/(bundle\/[\w-]+\.js|server\/http-stack\.js|util\/(log|zod)-stack\.js)$/.test(url));
}

it('a started service has loaded none of the heavy libraries, even after ListDevices; a scan and a thumbnail load sharp', async () => {
  const list = await rpc(svc.base, 'fa', 'ListDevices');
  assert.equal(list.status, 200);
  assert.deepEqual(await loaded(), [], 'loaded at start');
  // The service's own modules come from the start bundle, loaded by a few files rather than one by one.
  assert.ok((await moduleUrls()).some((url) => url.endsWith('/service/dist/bundle/main.js')), 'the trace sees the start bundle');
  assert.deepEqual(await besideTheBundle(), [], 'files of dist loaded beside the start bundle');
  // Fastify with the WebSocket plugin, pino and zod load as the bundled files of server/http-stack.ts,
  // util/log-stack.ts and util/zod-stack.ts, not file by file from node_modules.
  const modules = await moduleUrls();
  for (const bundle of ['/server/http-stack.js', '/util/log-stack.js', '/util/zod-stack.js']) assert.ok(modules.some((url) => url.endsWith(bundle)), `the trace sees ${bundle}`);
  const unbundled = modules.filter((url) => /\/node_modules\/(fastify|@fastify\/websocket|avvio|find-my-way|semver|ws|light-my-request|pino|thread-stream|sonic-boom|zod)\//.test(url));
  assert.deepEqual(unbundled, [], 'files of the HTTP stack, pino or zod loaded one by one');
  // The SANE discovery worker (its own process) validates its messages with its own few
  // schemas: it does not build every method's (the protocol's main entry), which would
  // delay the first device list.
  const workers = new Map<string, string[]>();
  for (const line of (await readFile(trace, 'utf8')).split('\n').filter(Boolean)) {
    const [pid, url] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    if (pid !== String(svc.child.pid)) workers.set(pid, [...(workers.get(pid) ?? []), url]);
  }
  const sane = [...workers.values()].filter((urls) => urls.some((url) => url.endsWith('/sane-worker-main.js')));
  assert.ok(sane.length > 0, 'the trace sees the SANE discovery worker');
  for (const urls of sane) {
    assert.deepEqual(urls.filter((url) => /\/protocol\/dist\/(index|methods|models)\.js$/.test(url)), [], 'the SANE worker loaded the protocol schemas');
    // Its schemas take zod from the bundle (util/zod-stack.ts), as the service's do.
    assert.deepEqual(urls.filter((url) => url.includes('/node_modules/zod/')), [], 'the SANE worker loaded zod file by file');
  }

  const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
  let job = (await rpc(svc.base, 'f', 'StartScan', { device: 'demo:flatbed', settings: { dpi: 75, mode: 'gray' } }, session)).body.result![0] as JobInfo;
  while (job.state === 'running') job = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id }, session)).body.result![0] as JobInfo;
  assert.equal(job.state, 'done');
  const res = await fetch(`${svc.base}/dwt/dwt_${VERSION_CODE}/img?id=${session}&index=0&width=100&height=100`, { headers: adminHeaders(svc.base) });
  assert.equal(res.status, 200);
  assert.ok((await res.arrayBuffer()).byteLength > 0);
  const used = await loaded();
  assert.ok(used.includes('sharp (libvips)'), `sharp is seen once used (seen: ${used.join(', ')})`);
  // StartScan's settings are parsed by its schema.
  assert.ok(used.includes('@scanbridge/protocol schemas'), `the protocol's schemas are seen once used (seen: ${used.join(', ')})`);
  assert.ok(used.includes('bwip-js'), `the demo page renderer is seen once used (seen: ${used.join(', ')})`);
  // What loads on first use comes from the bundle too.
  assert.deepEqual(await besideTheBundle(), [], 'files of dist loaded beside the start bundle once used');
});
