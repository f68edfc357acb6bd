/**
 * @scanbridge/client and @scanbridge/protocol as a developer gets them: the
 * tarballs `npm pack` makes hold no tests, e2e or test-support files, have a
 * README, and every file their exports name; an application installs them
 * from the tarballs (offline: zod comes from this checkout) and builds with
 * esbuild (for the browser) and with tsc (strict, NodeNext). The size of the
 * application's bundle (connect + scan + viewer), minified and gzipped, is
 * printed and held to SIZE_TARGET (issue 18: the SDK carries no schema
 * library; with zod it was 115 KiB gzipped); so is dist/scanbridge.js's.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);
/** Bytes, minified and gzipped, of an application's connect + scan + viewer. */
const SIZE_TARGET = 35_000;

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
const root = fileURLToPath(new URL('../../../', import.meta.url));

const APP = `import { connect, ScanbridgeError, type ScanbridgeClient } from '@scanbridge/client';
import { defineScanViewer } from '@scanbridge/client/viewer';
import type { PageInfo } from '@scanbridge/protocol';
import '@scanbridge/client/react';

defineScanViewer();
export async function scanAll(): Promise<PageInfo[]> {
  let client: ScanbridgeClient | null = null;
  try {
    client = await connect({ installPrompt: true });
    document.querySelector('scan-viewer')!.client = client;
    const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 200 } });
    await job.done;
    return await client.getImagesInfo();
  } catch (err) {
    if (err instanceof ScanbridgeError) console.error(err.code, err.remedy);
    throw err;
  }
}
`;

describe('the npm packages', () => {
  let work: string;
  const tarballs: Record<string, string> = {};

  before(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sb-packages-'));
    const { stdout } = await run('npm', ['pack', '-w', '@scanbridge/client', '-w', '@scanbridge/protocol', '--pack-destination', work, '--json'], { cwd: root });
    for (const entry of JSON.parse(stdout) as Array<{ name: string; filename: string }>) tarballs[entry.name] = path.join(work, entry.filename.replace(/^@/, '').replace('/', '-'));
  });
  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('hold no tests, e2e or test-support files, and have a README and every file their exports name', async () => {
    for (const name of ['@scanbridge/client', '@scanbridge/protocol']) {
      const files = (await run('tar', ['tzf', tarballs[name]!])).stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
      assert.deepEqual(files.filter((f) => /\.test\.|(^|\/)e2e\/|(^|\/)test-support\/|tsbuildinfo/.test(f)), [], name);
      assert.ok(files.includes('README.md'), `${name} has a README`);
      const manifest = JSON.parse((await run('tar', ['xzOf', tarballs[name]!, 'package/package.json'])).stdout) as { exports: Record<string, string | Record<string, string>>; types: string };
      assert.ok(files.includes(manifest.types.replace(/^\.\//, '')), `${name}: types ${manifest.types}`);
      for (const [subpath, target] of Object.entries(manifest.exports)) {
        // Test helpers are exported for this repository's own tests only; the tarball leaves them out.
        if (subpath.startsWith('./test-support')) continue;
        for (const file of typeof target === 'string' ? [target] : Object.values(target)) assert.ok(files.includes(file.replace(/^\.\//, '')), `${name} exports ${subpath} → ${file}`);
      }
    }
  });

  it('install into an application from the tarballs, which builds with esbuild and with tsc', async () => {
    const app = path.join(work, 'app');
    await mkdir(app);
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'scratch-app', private: true, type: 'module' }));
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--install-links', tarballs['@scanbridge/client']!, tarballs['@scanbridge/protocol']!, path.join(root, 'node_modules/zod')], { cwd: app });
    await writeFile(path.join(app, 'app.ts'), APP);
    await writeFile(
      path.join(app, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [], skipLibCheck: true }, files: ['app.ts'] }),
    );
    // tsc: the types resolve through the packages' exports (skipLibCheck: React's types are not installed here).
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', app]).catch((err: { stdout: string }) => assert.fail(`tsc: ${err.stdout}`));
    const esbuild = (await import('esbuild')) as typeof import('esbuild');
    const out = path.join(app, 'bundle.js');
    await esbuild.build({ entryPoints: [path.join(app, 'app.ts')], bundle: true, minify: true, format: 'esm', platform: 'browser', outfile: out, absWorkingDir: app, logLevel: 'silent' });
    const bundle = await readFile(out);
    assert.doesNotMatch(bundle.toString(), /from"node:|require\("node:/);
    const gzipped = gzipSync(bundle).length;
    console.log(`connect + scan + viewer, minified: ${kib(bundle.length)}, gzipped: ${kib(gzipped)} (${gzipped} bytes; target ${SIZE_TARGET})`);
    assert.doesNotMatch(bundle.toString(), /\$Zod[A-Z]/, 'no zod in the application bundle');
    assert.ok(gzipped <= SIZE_TARGET, `connect + scan + viewer is ${gzipped} bytes minified and gzipped, above the target of ${SIZE_TARGET}`);
  });

  it('the <script> build dist/scanbridge.js stays within the same target', async () => {
    const bundle = await readFile(path.join(root, 'packages/client/dist/scanbridge.js'));
    const gzipped = gzipSync(bundle).length;
    console.log(`dist/scanbridge.js, minified: ${kib(bundle.length)}, gzipped: ${kib(gzipped)} (${gzipped} bytes)`);
    assert.ok(gzipped <= SIZE_TARGET, `dist/scanbridge.js is ${gzipped} bytes gzipped, above ${SIZE_TARGET}`);
  });
});
