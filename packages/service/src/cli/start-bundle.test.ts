/**
 * The start bundle (dist/bundle/, made by scripts/bundle-vendor.mjs; bin/scanbridge.js runs it)
 * must behave as the modules tsc built: read from the build's output, these check that
 *   - every module of the service and the protocol it holds is in one file of it only, and
 *     its files import nothing of dist but each other and the vendor bundles, so a process
 *     running it never loads a module a second time from dist (server/lean-start.test.ts
 *     checks the same on a running service);
 *   - every import.meta.url of its modules is still that module's own file in dist, so the
 *     worker files, forks and package.json found beside them are the same files as before.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = fileURLToPath(new URL('../', import.meta.url));
const BUNDLE = path.join(DIST, 'bundle');
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const VENDOR = ['server/http-stack.js', 'util/log-stack.js', 'util/zod-stack.js'].map((file) => path.join(DIST, file));

const chunks = (JSON.parse(readFileSync(path.join(BUNDLE, 'meta.json'), 'utf8')) as { chunks: Record<string, string[]> }).chunks;
const source = (chunk: string) => readFileSync(path.join(BUNDLE, chunk), 'utf8');

it('holds each module of the service and the protocol once, and its files import nothing else of dist', () => {
  assert.deepEqual(readdirSync(BUNDLE).filter((f) => f !== 'meta.json').sort(), Object.keys(chunks).sort(), 'the files of dist/bundle are those of its meta.json');
  const seen = new Map<string, string>();
  for (const [chunk, modules] of Object.entries(chunks)) {
    for (const module of modules) {
      assert.match(module, /^packages\/(service|protocol)\/dist\//, `${chunk} holds ${module}`);
      assert.ok(!VENDOR.includes(path.join(ROOT, module)), `${chunk} holds the vendor bundle ${module}, which stays a file of its own`);
      assert.equal(seen.get(module), undefined, `${module} is in ${seen.get(module)} and ${chunk}`);
      seen.set(module, chunk);
    }
  }
  assert.equal(seen.get('packages/service/dist/cli/main.js'), 'main.js');
  assert.ok(seen.has('packages/service/dist/server/service.js') && seen.has('packages/protocol/dist/core.js'), 'the service and the protocol are in it');

  for (const chunk of Object.keys(chunks)) {
    const text = source(chunk);
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)"([^"]+)"/g)].map((m) => m[1]!);
    for (const specifier of specifiers.filter((s) => s.startsWith('.'))) {
      const file = path.resolve(BUNDLE, specifier);
      assert.ok(path.dirname(file) === BUNDLE || VENDOR.includes(file), `${chunk} imports ${specifier}`);
      assert.ok(existsSync(file), `${chunk} imports ${specifier}, which is missing`);
    }
    // An import() of a computed name would load its module from dist beside the bundle's copy (the build refuses one).
    assert.deepEqual(text.match(/\bimport\(\s*[^"\s)]/g) ?? [], [], `${chunk} has an import() that does not name its module`);
  }
});

it("keeps each module's import.meta.url: its own file in dist", () => {
  let rewritten = 0;
  for (const [chunk, modules] of Object.entries(chunks)) {
    const text = source(chunk);
    const own = new Set(modules.map((module) => path.join(ROOT, module)));
    const sites = [...text.matchAll(/new URL\("([^"]+)", import\.meta\.url\)\.href/g)];
    for (const [, relative] of sites) {
      const file = fileURLToPath(new URL(relative!, pathToFileURL(path.join(BUNDLE, chunk))));
      assert.ok(own.has(file), `${chunk}: import.meta.url became ${relative}, not one of the modules it holds`);
    }
    assert.equal(text.split('import.meta.url').length - 1, sites.length, `${chunk} uses import.meta.url, which is the bundle's file, not its module's`);
    // Each module that used import.meta.url in dist uses it still, as its own URL.
    for (const module of modules.filter((m) => readFileSync(path.join(ROOT, m), 'utf8').includes('import.meta.url'))) {
      const relative = path.relative(BUNDLE, path.join(ROOT, module));
      assert.ok(sites.some(([, r]) => r === relative), `${chunk}: ${module} lost its import.meta.url`);
      rewritten++;
    }
  }
  // version.ts reads ../package.json, the SANE discovery forks sane-worker-main.js, the page reader starts read-worker.js...
  assert.ok(rewritten >= 10, `${rewritten} modules of the bundle use import.meta.url`);
});
