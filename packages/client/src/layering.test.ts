/**
 * The SDK runs in browsers: it may import only its own files and, at run
 * time, only the zod-free part of the protocol (@scanbridge/protocol/core;
 * types come from the main entry with `import type`, which leaves no import
 * in the JavaScript), never Node modules, as Playwright's DEPS lists enforce.
 * Checked on the ESM build (every import of every SDK file, and every module
 * core.js loads) and on the single-file build (every file esbuild bundled,
 * and no Node specifier left in it).
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SDK_VERSION } from './version.js';

const dist = fileURLToPath(new URL('./', import.meta.url));

async function sdkFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'test-support') out.push(...(await sdkFiles(full)));
    } else if (entry.name.endsWith('.js') && !entry.name.endsWith('.test.js') && entry.name !== 'scanbridge.js') out.push(full);
  }
  return out;
}

const IMPORTS = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORTS)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

it('SDK files import only their own files and @scanbridge/protocol/core', async () => {
  const files = await sdkFiles(dist);
  assert.ok(files.length >= 10, `found ${files.length} SDK files`);
  for (const file of files) {
    const source = await readFile(file, 'utf8');
    for (const spec of importsOf(source)) {
      assert.ok(spec.startsWith('./') || spec.startsWith('../') || spec === '@scanbridge/protocol/core', `${path.relative(dist, file)} imports "${spec}"`);
    }
  }
});

it('@scanbridge/protocol/core loads no zod (nor anything but its own files)', async () => {
  const protocolDist = fileURLToPath(new URL('../../protocol/dist/', import.meta.url));
  const seen = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of importsOf(await readFile(file, 'utf8'))) {
      assert.ok(spec.startsWith('./') || spec.startsWith('../'), `${path.relative(protocolDist, file)} imports "${spec}"`);
      await visit(path.resolve(path.dirname(file), spec));
    }
  };
  await visit(path.join(protocolDist, 'core.js'));
  assert.ok(seen.size >= 4, `core.js loads ${[...seen].map((f) => path.basename(f)).join(', ')}`);
});

it('the single-file build bundles only the SDK and the protocol (no zod), with no Node import', async () => {
  const { inputs } = JSON.parse(await readFile(path.join(dist, 'scanbridge.meta.json'), 'utf8')) as { inputs: string[] };
  assert.ok(inputs.includes('packages/client/dist/browser.js'));
  for (const input of inputs) assert.match(input, /^(packages\/client\/dist\/|packages\/protocol\/dist\/)/, input);
  assert.ok(!inputs.some((i) => i.includes('test-support')), 'test support stays out of the bundle');
  const bundle = await readFile(path.join(dist, 'scanbridge.js'), 'utf8');
  assert.doesNotMatch(bundle, /["'`]node:[a-z_/]+["'`]/);
  assert.doesNotMatch(bundle, /\brequire\(\s*["'`]/);
  // Node globals a browser does not have (types for Node are loaded for the tests, so tsc would not notice them).
  // (Code, not prose: a global is never preceded by a space in the minified bundle.)
  assert.doesNotMatch(bundle, /(?<![\w.$\s"'`])(process|Buffer)\.\w|(?<![\w.$\s"'`])(__dirname|setImmediate)\b/);
  assert.match(bundle, /^"use strict";var scanbridge=/);
});

it('SDK_VERSION is the package version', async () => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(SDK_VERSION, pkg.version);
});
