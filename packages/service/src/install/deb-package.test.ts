/**
 * `npm run package` builds a .deb that installs with dpkg -i, runs with its
 * bundled Node.js runtime, registers the user unit, and leaves no file behind
 * after dpkg -r. Also the tarball for other distributions.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { adminHeaders, rpc, startChild, tempHome } from '../test-support/service-harness.js';
import { createTestBackend } from '../devices/sane/test-backend.js';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const WATCHED = ['/opt', '/usr/bin', '/usr/lib/systemd', '/etc/systemd'];

async function fileList(): Promise<string[]> {
  const { stdout } = await run('find', [...WATCHED, '-xdev'], { maxBuffer: 1 << 28 }).catch((e: { stdout: string }) => ({ stdout: e.stdout }));
  return stdout.split('\n').filter(Boolean).sort();
}

/**
 * The installed service, on its bundled runtime (a newer Node than the one
 * running the tests), scans the SANE test backend's feeder through libsane
 * and saves a PDF: FFI, the device worker, sharp and the PDF writer in the package work.
 */
async function scanWithInstalledService(): Promise<void> {
  const backend = await createTestBackend(1);
  const home = await tempHome();
  const svc = await startChild(home, [], backend.env, ['/usr/bin/scanbridge']);
  try {
    const { runtime } = (await rpc(svc.base, 'fa', 'ServiceInfo')).body.result![0] as { runtime: string };
    assert.match(runtime, /^v(22|24)\./, 'the service runs on the bundled runtime');
    const session = ((await rpc(svc.base, 'fa', 'CreateSession')).body.result![0] as { id: string }).id;
    const started = await rpc(svc.base, 'f', 'StartScan', { device: 'sane:test:0', settings: { source: 'feeder', mode: 'gray', dpi: 50, paper: 'A5' } }, session);
    assert.equal(started.status, 200, JSON.stringify(started.body));
    let job = started.body.result![0] as { id: string; state: string; pages: number };
    while (job.state === 'running') job = (await rpc(svc.base, 'f', 'WaitJob', { job: job.id, timeout: 30 }, session)).body.result![0] as typeof job;
    assert.deepEqual([job.state, job.pages], ['done', 10]);
    const saved = await fetch(`${svc.base}/f/SaveImages`, { method: 'POST', headers: { 'content-type': 'application/json', ...adminHeaders(svc.base) }, body: JSON.stringify({ id: session, params: { format: 'pdf', binary: true } }) });
    assert.equal(saved.status, 200);
    const pdf = path.join(home, 'scan.pdf');
    await writeFile(pdf, Buffer.from(await saved.arrayBuffer()));
    assert.match((await run('pdfinfo', [pdf])).stdout, /^Pages:\s+10$/m);
  } finally {
    await svc.stop();
    await rm(home, { recursive: true, force: true });
    await backend.remove();
  }
}

it('builds, installs, runs with the bundled runtime, and removes cleanly', async () => {
  const { stdout } = await run(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, maxBuffer: 1 << 26 });
  const [deb, tarball] = stdout.trim().split('\n').slice(-2);
  assert.match(deb!, /scanbridge_\d+\.\d+\.\d+_amd64\.deb$/);
  const info = (await run('dpkg-deb', ['--info', deb!])).stdout;
  assert.match(info, /Package: scanbridge/);
  // Everything setup.sh installs for the service at run time (libsane1, jpegtran, NSS certutil...).
  const runtime = /^RUNTIME_PKGS="([^"]+)"$/m.exec(await readFile(path.join(ROOT, 'scripts/setup.sh'), 'utf8'))![1]!.split(' ');
  assert.deepEqual(/^ Recommends: (.+)$/m.exec(info)?.[1]?.split(', '), runtime);
  const contents = (await run('dpkg-deb', ['--contents', deb!], { maxBuffer: 1 << 28 })).stdout;
  assert.match(contents, /\.\/opt\/scanbridge\/node\/bin\/node\n/);
  assert.match(contents, /\.\/usr\/lib\/systemd\/user\/scanbridge\.service\n/);
  const listing = (await run('tar', ['tzf', tarball!], { maxBuffer: 1 << 28 })).stdout;
  assert.match(listing, /\.\/opt\/scanbridge\/node\/bin\/node\n/);

  const before = await fileList();
  await run('dpkg', ['-i', deb!]);
  try {
    const wrapper = await readFile('/usr/bin/scanbridge', 'utf8');
    assert.match(wrapper, /^#!\/bin\/sh\nexec \/opt\/scanbridge\/node\/bin\/node /);
    const runtime = (await run('/opt/scanbridge/node/bin/node', ['--version'])).stdout.trim();
    assert.match(runtime, /^v(22|24)\./, 'a long-term-support runtime is bundled');
    const version = await run('/usr/bin/scanbridge', ['--version'], { env: { PATH: '/usr/bin:/bin' } });
    const expected = JSON.parse(await readFile(path.join(ROOT, 'packages/service/package.json'), 'utf8')).version;
    assert.equal(version.stdout.trim(), expected);
    await stat('/etc/systemd/user/default.target.wants/scanbridge.service');
    // The SDK and the demo the service serves are in the package too.
    await stat('/opt/scanbridge/app/node_modules/@scanbridge/client/dist/scanbridge.js');
    await stat('/opt/scanbridge/app/node_modules/@scanbridge/demo/dist/index.html');
    await run('systemd-analyze', ['verify', '/usr/lib/systemd/user/scanbridge.service']);
    await scanWithInstalledService();
  } finally {
    await run('dpkg', ['-r', 'scanbridge']);
  }
  assert.deepEqual(await fileList(), before);
});
