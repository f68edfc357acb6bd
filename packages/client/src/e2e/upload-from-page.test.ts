/**
 * Uploads as web developers write them, in real Chromium: a relative
 * destination ('/upload') goes to the page's own server, and with
 * `credentials: 'include'` the page's cookies (HttpOnly ones too) travel with
 * it, to the page's own origin only; without it, no cookie travels.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { UploadInfo } from '@scanbridge/protocol';
import { launchChromium, type Browser } from '../test-support/chromium.js';
import { SDK_FILE } from '../test-support/page-server.js';

declare const scanbridge: typeof import('../browser.js');

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Outcome = { response: UploadInfo['response']; pages: number } | { code: string; message: string };

describe('uploading from a page to its own server', () => {
  let svc: InProcess;
  let browser: Browser;
  let server: Server;
  let origin: string;
  const received: Received[] = [];

  /** Scan one sheet and upload it as a PDF with `options`; the outcome as the page sees it. */
  const upload = (options: { url: string; method?: 'post' | 'put'; credentials?: 'include' | 'omit' }) =>
    browser.page.evaluate(async ({ port, options }) => {
      try {
        const client = await scanbridge.connect({ httpPort: port, storageKey: false });
        const job = await client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 1 } } });
        await job.done;
        const { credentials, method = 'post', url } = options;
        const up = await client.upload({ format: 'pdf', destination: { method, url }, ...(credentials ? { credentials } : {}) });
        const done = await up.done;
        await client.close();
        return { response: done.response, pages: done.pages };
      } catch (err) {
        return { code: (err as { code: string }).code, message: (err as Error).message };
      }
    }, { port: svc.ports.http, options });

  before(async () => {
    const sdk = await readFile(SDK_FILE);
    server = createServer((req, res) => {
      if (req.url === '/scanbridge.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
      if (req.method === 'GET') {
        // The application's session cookie: HttpOnly, so no script (and not the SDK) can read it.
        return void res.writeHead(200, { 'content-type': 'text/html', 'set-cookie': ['session=s3cret; HttpOnly; SameSite=Strict; Path=/', 'theme=dark; Path=/'] }).end('<!doctype html><html lang="en"><body><script src="/scanbridge.js"></script></body></html>');
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ stored: received.length }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    svc = await startInProcess({ 'allowed-origins': origin });
    browser = await launchChromium();
    await browser.page.goto(`${origin}/form`);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    server?.close();
  });

  it("a relative destination ('/upload') goes to the page's own server, without cookies by default", async () => {
    const outcome = await upload({ url: '/upload?claim=4711' });
    assert.deepEqual(outcome, { response: { status: 201, headers: (outcome as { response: UploadInfo['response'] }).response!.headers, body: '{"stored":1}', truncated: false }, pages: 1 });
    const got = received.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/upload?claim=4711');
    assert.equal(got.headers.cookie, undefined, 'no cookie travels unless the page asks');
    assert.match(got.body.toString('latin1'), /Content-Type: application\/pdf[\s\S]*%PDF-/);
  });

  it("with credentials: 'include' the page's cookies, HttpOnly too, go with it to its own origin", async () => {
    const post = await upload({ url: 'upload', credentials: 'include' });
    assert.equal('response' in post && post.response?.status, 201, JSON.stringify(post));
    const got = received.at(-1)!;
    assert.equal(got.url, '/upload', 'relative to the page (/form)');
    assert.deepEqual(got.headers.cookie?.split('; ').sort(), ['session=s3cret', 'theme=dark']);
    assert.match(got.headers['content-type']!, /^multipart\/form-data; boundary=/);
    assert.match(got.body.toString('latin1'), /name="file"; filename="[^"]+\.pdf"\r\nContent-Type: application\/pdf\r\n\r\n%PDF-/);

    const put = await upload({ url: '/files/claim.pdf', method: 'put', credentials: 'include' });
    assert.equal('response' in put && put.response?.status, 201, JSON.stringify(put));
    const putGot = received.at(-1)!;
    assert.deepEqual([putGot.method, putGot.url, putGot.headers['content-type']], ['PUT', '/files/claim.pdf', 'application/pdf']);
    assert.ok(putGot.headers.cookie?.includes('session=s3cret'));
    assert.equal(putGot.body.subarray(0, 5).toString('latin1'), '%PDF-');
  });

  it("refuses credentials: 'include' for any other origin, before anything is sent", async () => {
    const before = received.length;
    const other = origin.replace('127.0.0.1', 'localhost');
    const outcome = await upload({ url: `${other}/upload`, credentials: 'include' });
    assert.equal('code' in outcome && outcome.code, 'destination-not-allowed', JSON.stringify(outcome));
    assert.match((outcome as { message: string }).message, /credentials: 'include' sends the page's cookies only to its own origin/);
    assert.equal(received.length, before);
  });
});
