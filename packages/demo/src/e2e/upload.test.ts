/**
 * The demo's "Upload" form in real Chromium: the service sends the scanned
 * pages to a server as a multipart POST or a PUT, and the page shows how it
 * went. The server is a plain node:http one; multipart bodies are parsed by
 * undici's Response.formData(), not by our code, and the files are checked
 * with pdfinfo, pdftocairo + zbarimg and tiffinfo.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { rpc, startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { artifact, demoSession, documentIdsOf, run, scanFromFeeder, shownOrder, waitConnected, waitPagesShown } from './demo-page.js';

interface Arrival {
  method: string;
  path: string;
  /** The form field and file name of a multipart upload. */
  field?: string;
  name?: string;
  type: string;
  file: string;
}

/** POST /inbox takes a multipart form, PUT /bucket/<name> a raw body; /full answers 413. */
async function receiver(dir: string) {
  const arrivals: Arrival[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/full') {
        req.resume();
        res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"quota exceeded"}');
        return;
      }
      const file = path.join(dir, `arrival-${++n}`);
      if (req.method === 'POST' && url.pathname === '/inbox') {
        const form = await new Response(Readable.toWeb(req) as ReadableStream, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
        for (const [field, value] of form) {
          if (typeof value === 'string') continue;
          await writeFile(file, Buffer.from(await value.arrayBuffer()));
          arrivals.push({ method: 'POST', path: url.pathname, field, name: value.name, type: value.type, file });
        }
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ stored: n }));
      } else if (req.method === 'PUT' && url.pathname.startsWith('/bucket/')) {
        await writeFile(file, req);
        arrivals.push({ method: 'PUT', path: url.pathname, type: req.headers['content-type'] ?? '', file });
        res.writeHead(200).end();
      } else {
        req.resume();
        res.writeHead(404).end();
      }
    })().catch((err: Error) => res.writeHead(500).end(err.message));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, arrivals, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('demo upload form in Chromium', () => {
  let home: string;
  let dir: string;
  let svc: ChildService;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof receiver>>;

  before(async () => {
    home = await tempHome();
    dir = await mkdtemp(path.join(tmpdir(), 'sb-demo-upload-'));
    server = await receiver(dir);
    // The demo is served by the service itself: the receiver is another origin, so the administrator lists it.
    svc = await startChild(home, ['--upload-destinations', `${server.url}/inbox;${server.url}/bucket/;${server.url}/full`]);
    browser = await launchChromium();
    await browser.page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(browser.page);
    await scanFromFeeder(browser.page, 3, 100);
    await waitPagesShown(browser.page, 3);
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await server?.close();
    await rm(home, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  async function upload(url: string, method: 'post' | 'put', format: 'pdf' | 'tiff'): Promise<string> {
    const { page } = browser;
    await page.locator('#upload-form [name=url]').fill(url);
    await page.locator('#upload-form [name=method]').selectOption(method);
    await page.locator('#upload-form [name=format]').selectOption(format);
    await page.locator('#upload').click();
    const status = page.locator('#upload-status', { hasText: /^(Uploaded|The upload failed)/ });
    await status.waitFor();
    return (await status.textContent()) ?? '';
  }

  it('posts every page as one PDF in the order shown, and says what the server answered', async () => {
    const status = await upload(`${server.url}/inbox`, 'post', 'pdf');
    assert.match(status, /^Uploaded 3 page\(s\), [\d.]+ MB: the server answered 201\.$/);
    await browser.page.locator('#upload-form').screenshot({ path: await artifact('demo-after-upload.png') });
    const [arrival] = server.arrivals;
    assert.deepEqual([server.arrivals.length, arrival!.method, arrival!.field, arrival!.name, arrival!.type], [1, 'POST', 'file', 'scan.pdf', 'application/pdf']);
    const { stdout: info } = await run('pdfinfo', [arrival!.file]);
    assert.match(info, /^Pages:\s+3$/m);
    await run('qpdf', ['--check', arrival!.file]);
    const shown = await shownOrder(browser.page);
    const scanned = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, await demoSession(browser.page))).body.result![0] as { id: string }[];
    const sheetOf = (id: string) => `SB-DEMO-${String(scanned.findIndex((p) => p.id === id) + 1).padStart(4, '0')}-F`;
    assert.deepEqual(await documentIdsOf(arrival!.file), shown.map(sheetOf));
  });

  it('puts a multi-page TIFF to a presigned-style URL', async () => {
    const before = server.arrivals.length;
    const status = await upload(`${server.url}/bucket/scan-0001.tif?X-Signature=abc`, 'put', 'tiff');
    assert.match(status, /^Uploaded 3 page\(s\), [\d.]+ MB: the server answered 200\.$/);
    const arrival = server.arrivals[before]!;
    assert.deepEqual([arrival.method, arrival.path, arrival.type], ['PUT', '/bucket/scan-0001.tif', 'image/tiff']);
    const { stdout: info } = await run('tiffinfo', [arrival.file]);
    assert.equal(info.match(/^TIFF Directory at offset/gm)?.length, 3);
  });

  it('shows a typed error for a destination the administrator did not allow, and keeps the pages', async () => {
    const before = server.arrivals.length;
    const status = await upload(`${server.url}/elsewhere`, 'post', 'pdf');
    assert.equal(status, 'The upload failed; the pages are still here.');
    const error = await browser.page.locator('#error').textContent();
    assert.match(error ?? '', /\(destination-not-allowed\)$/);
    assert.match(error ?? '', /UploadDestinations/);
    assert.equal(server.arrivals.length, before);
    assert.equal((await shownOrder(browser.page)).length, 3);
  });

  it("shows the server's refusal (413) with its answer, and keeps the pages", async () => {
    const status = await upload(`${server.url}/full`, 'post', 'pdf');
    assert.equal(status, 'The upload failed; the pages are still here.');
    const error = (await browser.page.locator('#error').textContent()) ?? '';
    assert.match(error, /413/);
    assert.match(error, /quota exceeded/);
    assert.match(error, /\(upload-failed\)$/);
    assert.equal((await rpc(svc.base, 'f', 'GetImageCount', {}, await demoSession(browser.page))).body.result![0], 3);
    assert.deepEqual(browser.pageErrors.map(String), []);
  });

  it('puts a searchable PDF when Searchable is checked: the words of every page found by pdftotext, the font embedded', async () => {
    const { page } = browser;
    const before = server.arrivals.length;
    await page.locator('#upload-form [name=searchable]').check();
    try {
      const status = await upload(`${server.url}/bucket/searchable.pdf`, 'put', 'pdf');
      assert.match(status, /^Uploaded 3 page\(s\), [\d.]+ MB: the server answered 200\.$/);
    } finally {
      await page.locator('#upload-form [name=searchable]').uncheck();
    }
    const arrival = server.arrivals[before]!;
    await run('qpdf', ['--check', arrival.file]);
    const pages = (await run('pdftotext', ['-enc', 'UTF-8', arrival.file, '-'])).stdout.split('\f').filter((t) => t.trim() !== '');
    assert.equal(pages.length, 3);
    // What the demo scanner prints at the top of every sheet.
    for (const text of pages) assert.match(text, /INVOICE/);
    assert.match((await run('pdffonts', [arrival.file])).stdout, /ScanbridgeGlyphless\s+CID TrueType\s+Identity-H\s+yes/);
  });
});
