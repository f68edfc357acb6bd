/**
 * The guide's React and Vue components, built with esbuild as an
 * application builds them and run in Chromium against a real service: each
 * connects, scans from a click, shows the pages in <scan-viewer>, and on
 * unmount closes its session (the service no longer has it).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, until, type Browser } from '../test-support/chromium.js';
import { servePage, type PageServer } from '../test-support/page-server.js';

const pkg = fileURLToPath(new URL('../../', import.meta.url));

interface ExampleWindow {
  example: { session?: string; unmount(): void };
}

describe('the React and Vue examples in Chromium', () => {
  let out: string;
  let site: PageServer;
  let svc: InProcess;
  let browser: Browser;

  before(async () => {
    out = await mkdtemp(path.join(tmpdir(), 'sb-frameworks-'));
    const common = { bundle: true, format: 'esm', platform: 'browser', absWorkingDir: pkg, logLevel: 'silent', define: { 'process.env.NODE_ENV': '"production"' } } as const;
    await build({ ...common, entryPoints: ['examples/react-app.tsx'], outfile: path.join(out, 'react.js'), jsx: 'automatic' });
    await build({
      ...common,
      entryPoints: ['examples/vue-app.ts'],
      outfile: path.join(out, 'vue.js'),
      // The build with the template compiler, as the component's template is compiled in the page.
      alias: { vue: 'vue/dist/vue.esm-bundler.js' },
      define: { ...common.define, __VUE_OPTIONS_API__: 'true', __VUE_PROD_DEVTOOLS__: 'false', __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false' },
    });
    site = await servePage('', { '/react.js': path.join(out, 'react.js'), '/vue.js': path.join(out, 'vue.js') });
    svc = await startInProcess({ 'allowed-origins': site.origin });
    site.html = `<!doctype html><html lang="en"><body><div id="app"></div>
<script>window.example = { httpPort: ${svc.ports.http} };</script>
<script type="module">import(location.hash === '#vue' ? '/vue.js' : '/react.js');</script></body></html>`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
    if (out) await rm(out, { recursive: true, force: true });
  });

  for (const framework of ['react', 'vue'] as const) {
    it(`${framework}: connects, scans from a click, shows the pages, and closes its session on unmount`, async () => {
      const page = await browser.context.newPage();
      await page.goto(`${site.origin}/#${framework}`);
      const scan = page.getByRole('button', { name: 'Scan' });
      await page.waitForFunction(() => (window as unknown as ExampleWindow).example.session !== undefined);
      const session = await page.evaluate(() => (window as unknown as ExampleWindow).example.session!);
      assert.ok(svc.service.ctx.sessions.has(session));
      await scan.click();
      await page.waitForFunction(() => {
        const root = document.querySelector('scan-viewer')?.shadowRoot;
        return root?.querySelectorAll('.thumb.loaded').length === 2;
      });
      await page.evaluate(() => (window as unknown as ExampleWindow).example.unmount());
      await until(async () => svc.service.ctx.sessions.has(session), (has) => !has);
      assert.equal(await page.locator('scan-viewer').count(), 0);
      assert.deepEqual(browser.pageErrors.map(String), []);
      await page.close();
    });
  }
});
