/**
 * The security model in real Chromium, with pages served from loopback
 * origins as an integrator's pages are: a page the user allowed on the
 * consent page scans and sees its pages; pages of other origins (another
 * port, and `localhost` instead of `127.0.0.1` on the same port) cannot list
 * devices, read that page's images or open its WebSocket, cannot frame or
 * answer the consent page, and work once the user allows them; revoking (the
 * welcome page's button, `scanbridge origins revoke`) stops a page at once:
 * its calls, its open WebSocket and its image URLs. (own-origin.test.ts in
 * the demo covers the consent dialog of the demo application.)
 * Then what passes for the service's own pages: a squatter run as `nobody`
 * on [::1] or 127.0.0.2 at a welcome port gets nothing; the welcome ports'
 * pages are neither readable by an approved page nor frameable; the SDK
 * shows no URL from an answer that is not a loopback http(s) page; reloading
 * a page that waits for consent keeps its one consent page.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createInterface } from 'node:readline';
import type { AccessGrant, PageInfo } from '@scanbridge/protocol';
import { rpc, runCli, startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import type { Page } from 'playwright-core';
import type { ScanbridgeClient } from '../client.js';
import type { ConsentPrompt } from '../consent-dialog.js';
import { launchChromium, type Browser } from '../test-support/chromium.js';
import { servePage, type PageServer } from '../test-support/page-server.js';
import { DEFAULT_INSTALL_URL } from '../transport.js';

declare const scanbridge: typeof import('../browser.js');

/** What the test keeps on a page's window between evaluate() calls. */
interface TestWindow {
  client: ScanbridgeClient;
  connecting: Promise<ScanbridgeClient>;
  prompts: ConsentPrompt[];
  /** How the page's own consent UI (onConsent) answers: wait for the user, or give up at once. */
  decline: boolean;
  urls: string[];
  token: string;
  socket: WebSocket;
  socketLog: { messages: string[]; code: number | null };
  buffers: number;
  states: string[];
}

type ImageOutcome = 'loaded' | 'error';

describe('security in Chromium', () => {
  let svc: InProcess;
  let browser: Browser;
  let siteA: PageServer;
  let siteB: PageServer;
  let pageA: Page;
  let pageB: Page;
  let sessionA: string;
  let welcome: string;

  const html = () => `<!doctype html><html lang="en"><body><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
  const countA = async () => (await rpc(svc.base, 'f', 'GetImageCount', {}, sessionA)).body.result![0];
  /** The call a page would make, sent from Node with that page's Origin: what the service answers (the browser may hide it). */
  const asPage = async (origin: string, token: string) => {
    const res = await fetch(`${svc.base}/fa/ListDevices`, { method: 'POST', headers: { origin, 'content-type': 'application/json', 'x-scanbridge-token': token }, body: '{"params":{}}' });
    return { status: res.status, body: (await res.json()) as { error?: { code: string } } };
  };
  /** Click Allow on scanbridge's consent page, opened in a tab of its own as the user would. */
  const allowOnConsentPage = async (consentUrl: string, origin: string) => {
    const consent = await browser.context.newPage();
    await consent.goto(consentUrl);
    assert.equal(await consent.locator('#origin').innerText(), origin, 'the consent page names the origin the service saw');
    await Promise.all([consent.waitForNavigation(), consent.locator('#allow').click()]);
    assert.equal(await consent.locator('#result').innerText(), `You allowed ${origin} to use your scanners.`);
    await consent.close();
  };

  before(async () => {
    siteA = await servePage();
    siteB = await servePage();
    svc = await startInProcess();
    welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
    siteA.html = html();
    siteB.html = html();
    browser = await launchChromium();
    pageA = browser.page;
    await pageA.goto(`${siteA.origin}/`);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await siteA?.close();
    await siteB?.close();
  });

  it('a page the user allows on the consent page scans and sees its pages', async () => {
    const connected = pageA.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      w.client = await scanbridge.connect({ httpPort: port, storageKey: false, app: 'Intake form', consentPollMs: 100 });
      return w.client.sessionId;
    }, svc.ports.http);
    const dialog = pageA.locator('[data-scanbridge-dialog=consent] dialog');
    await dialog.waitFor();
    const opened = browser.context.waitForEvent('page');
    await dialog.getByRole('link', { name: 'Open scanbridge to allow' }).click();
    const consent = await opened;
    await consent.waitForLoadState();
    assert.equal(await consent.locator('#origin').innerText(), siteA.origin);
    assert.match(await consent.locator('body').innerText(), /It calls itself “Intake form” — that name is the page's own claim/);
    await Promise.all([consent.waitForNavigation(), consent.locator('#allow').click()]);
    await consent.close();
    sessionA = await connected;
    await dialog.waitFor({ state: 'detached' });

    const seen = await pageA.evaluate(async () => {
      const w = window as unknown as TestWindow;
      const devices = (await w.client.listDevices()).map((d) => d.id);
      const job = await w.client.scan({ device: 'demo:scanner', settings: { source: 'feeder', dpi: 75, mode: 'gray', options: { sheets: 2 } } });
      const end = await job.done;
      const pages = await w.client.getImagesInfo();
      w.urls = pages.map((p) => w.client.imageUrl(p, 150, 200));
      // crossOrigin: the page reads its own pixels, which CORS allows only to approved origins.
      const pixels = await Promise.all(
        w.urls.map(
          (src) =>
            new Promise<[number, number, number]>((resolve, reject) => {
              const img = new Image();
              img.crossOrigin = 'anonymous';
              img.onload = () => {
                const canvas = document.createElement('canvas');
                canvas.width = img.naturalWidth;
                canvas.height = img.naturalHeight;
                const g = canvas.getContext('2d')!;
                g.drawImage(img, 0, 0);
                const data = g.getImageData(0, 0, canvas.width, canvas.height).data;
                let ink = 0;
                for (let i = 0; i < data.length; i += 4) if (data[i]! < 128) ink++;
                resolve([img.naturalWidth, img.naturalHeight, ink]);
              };
              img.onerror = () => reject(new Error(`${src} did not load`));
              img.src = src;
            }),
        ),
      );
      const res = await fetch(w.urls[0]!);
      return { devices, end: end.state, count: pages.length, pixels, fetched: [res.status, res.headers.get('content-type'), (await res.arrayBuffer()).byteLength] };
    });
    assert.deepEqual(seen.devices, ['demo:scanner', 'demo:flatbed']);
    assert.equal(seen.end, 'done');
    assert.equal(seen.count, 2);
    for (const [width, height, ink] of seen.pixels) {
      assert.ok(width > 0 && width <= 150 && height > 0 && height <= 200, `fitted into 150x200: ${width}x${height}`);
      assert.ok(ink > 0, 'a scanned page has dark pixels (text, barcode)');
    }
    assert.equal(seen.fetched[0], 200);
    assert.match(String(seen.fetched[1]), /^image\//);
    assert.ok(Number(seen.fetched[2]) > 100);
    const onService = (await rpc(svc.base, 'f', 'GetImagesInfo', {}, sessionA)).body.result![0] as PageInfo[];
    assert.equal(onService.length, 2);
    const urls = await pageA.evaluate(() => (window as unknown as TestWindow).urls);
    assert.deepEqual(
      urls.map((url) => new URL(url).searchParams.get('page')),
      onService.map((p) => p.id),
    );
  });

  /** Everything a page of `origin` tries against page A's session, with A's image URL and (as if it leaked) A's token. */
  async function attackFrom(origin: string) {
    const tokenA = await pageA.evaluate(async (port) => {
      const res = await fetch(`http://127.0.0.1:${port}/fa/RequestAccess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"params":{}}' });
      return ((await res.json()) as { result: [{ token: string }] }).result[0].token;
    }, svc.ports.http);
    const signedUrl = (await pageA.evaluate(() => (window as unknown as TestWindow).urls))[0]!;
    const page = await browser.context.newPage();
    await page.goto(`${origin}/`);
    const outcome = await page.evaluate(
      async ({ port, session, signedUrl, tokenA }) => {
        const base = `http://127.0.0.1:${port}`;
        const failure = async (work: () => Promise<unknown>) => {
          try {
            const value = await work();
            return { ok: value };
          } catch (err) {
            return { failed: (err as Error).name, code: (err as { code?: string }).code };
          }
        };
        const image = (src: string, crossOrigin: boolean) =>
          new Promise<{ outcome: ImageOutcome; read: string }>((resolve) => {
            const img = new Image();
            if (crossOrigin) img.crossOrigin = 'anonymous';
            img.onerror = () => resolve({ outcome: 'error', read: '' });
            img.onload = () => {
              const canvas = document.createElement('canvas');
              canvas.width = img.naturalWidth;
              canvas.height = img.naturalHeight;
              const g = canvas.getContext('2d')!;
              g.drawImage(img, 0, 0);
              try {
                g.getImageData(0, 0, 1, 1);
                resolve({ outcome: 'loaded', read: 'pixels' });
              } catch (err) {
                resolve({ outcome: 'loaded', read: (err as Error).name });
              }
            };
            img.src = src;
          });
        const socket = (query: string) =>
          new Promise<{ opened: boolean; messages: string[]; code: number }>((resolve) => {
            const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?id=${session}${query}`);
            const log = { opened: false, messages: [] as string[], code: 0 };
            ws.onopen = () => {
              log.opened = true;
              ws.send(JSON.stringify({ method: 'GetImageCount', id: session, params: {}, cmdId: 'x' }));
            };
            ws.onmessage = (e) => log.messages.push(String(e.data));
            ws.onclose = (e) => resolve({ ...log, code: e.code });
          });
        const json = { 'content-type': 'application/json' };
        const unsigned = signedUrl.replace(/&exp=.*$/, '');
        const forged = signedUrl.replace(/sig=[\w-]+/, `sig=${'A'.repeat(43)}`);
        const prompts: ConsentPrompt[] = [];
        return {
          sdk: await failure(() =>
            scanbridge.connect({
              httpPort: port,
              storageKey: false,
              consentPollMs: 10,
              onConsent: (prompt) => {
                prompts.push(prompt);
                return { cancelled: Promise.resolve(), close: () => undefined };
              },
            }),
          ),
          prompts,
          listDevices: await failure(() => fetch(`${base}/fa/ListDevices`, { method: 'POST', headers: json, body: '{"params":{}}' })),
          listDevicesGet: await failure(() => fetch(`${base}/fa/ListDevices?ts=1`)),
          listDevicesLeaked: await failure(() => fetch(`${base}/fa/ListDevices`, { method: 'POST', headers: { ...json, 'x-scanbridge-token': tokenA }, body: '{"params":{}}' })),
          removeLeaked: await failure(() => fetch(`${base}/f/RemoveAllImages`, { method: 'POST', headers: { ...json, 'x-scanbridge-token': tokenA }, body: JSON.stringify({ id: session }) })),
          // A simple request needs no preflight: it reaches the service, which must refuse it for want of a token.
          removeSimple: await failure(async () => (await fetch(`${base}/f/RemoveAllImages`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ id: session }) })).type),
          imageUnsigned: await image(unsigned, false),
          imageForged: await image(forged, false),
          imageSignedCors: await image(signedUrl, true),
          imageSigned: await image(signedUrl, false),
          fetchSigned: await failure(() => fetch(signedUrl)),
          fetchUnsignedOpaque: await failure(async () => (await (await fetch(unsigned, { mode: 'no-cors' })).arrayBuffer()).byteLength),
          socketNoToken: await socket(''),
          socketLeaked: await socket(`&token=${encodeURIComponent(tokenA)}`),
        };
      },
      { port: svc.ports.http, session: sessionA, signedUrl, tokenA },
    );
    await page.close();
    return { outcome, tokenA };
  }

  for (const [name, originOf] of [
    ['another port of 127.0.0.1', () => siteB.origin],
    ['localhost on the approved page\'s own port', () => siteA.origin.replace('127.0.0.1', 'localhost')],
  ] as const) {
    it(`a page on ${name} can neither list devices, nor read the approved page's images, nor open its WebSocket`, async () => {
      const origin = originOf();
      const { outcome, tokenA } = await attackFrom(origin);
      // The SDK is told to ask the user; the service saw the page's real origin.
      assert.deepEqual(outcome.sdk, { failed: 'ScanbridgeError', code: 'origin-not-allowed' });
      assert.deepEqual(outcome.prompts.map((p) => p.origin), [origin]);
      assert.match(outcome.prompts[0]!.consentUrl, new RegExp(`^${welcome}/consent\\?request=[0-9a-f]{32}$`));
      // Without CORS the browser keeps every answer from the page, with or without A's token.
      for (const key of ['listDevices', 'listDevicesGet', 'listDevicesLeaked', 'removeLeaked', 'fetchSigned'] as const) {
        assert.deepEqual(outcome[key], { failed: 'TypeError', code: undefined }, key);
      }
      assert.deepEqual(outcome.removeSimple, { ok: 'opaque' });
      assert.deepEqual(outcome.fetchUnsignedOpaque, { ok: 0 }, 'a no-cors answer is opaque: nothing to read');
      // Images: unsigned and forged URLs do not load; A's own signed URL is not readable (CORS, tainted canvas).
      assert.deepEqual(outcome.imageUnsigned, { outcome: 'error', read: '' });
      assert.deepEqual(outcome.imageForged, { outcome: 'error', read: '' });
      assert.deepEqual(outcome.imageSignedCors, { outcome: 'error', read: '' });
      assert.deepEqual(outcome.imageSigned, { outcome: 'loaded', read: 'SecurityError' });
      // WebSocket: without a token the service says why and closes; with A's token the upgrade is refused.
      assert.equal(outcome.socketNoToken.code, 4403);
      assert.equal(outcome.socketNoToken.messages.length, 1);
      assert.equal((JSON.parse(outcome.socketNoToken.messages[0]!) as { error: { code: string } }).error.code, 'token-invalid');
      assert.deepEqual(outcome.socketLeaked, { opened: false, messages: [], code: 1006 });
      // What the service answered behind the browser's back: a refusal, and A's pages untouched.
      const leaked = await asPage(origin, tokenA);
      assert.equal(leaked.status, 403);
      assert.equal(leaked.body.error!.code, 'token-invalid');
      assert.equal(await countA(), 2);
    });
  }

  it('the consent page cannot be framed or answered by another page; once the user allows it there, the page works on its own session only', async () => {
    pageB = await browser.context.newPage();
    await pageB.goto(`${siteB.origin}/`);
    await pageB.evaluate((port) => {
      const w = window as unknown as TestWindow;
      w.prompts = [];
      w.decline = false;
      w.connecting = scanbridge.connect({
        httpPort: port,
        storageKey: false,
        consentPollMs: 100,
        onConsent: (prompt) => {
          w.prompts.push(prompt);
          return { cancelled: w.decline ? Promise.resolve() : new Promise(() => undefined), close: () => undefined };
        },
      });
      // Settled later by the test; keep an early rejection from being unhandled.
      w.connecting.catch(() => undefined);
    }, svc.ports.http);
    await pageB.waitForFunction(() => (window as unknown as TestWindow).prompts.length === 1);
    const { consentUrl } = (await pageB.evaluate(() => (window as unknown as TestWindow).prompts[0]!)) as ConsentPrompt;
    const request = new URL(consentUrl).searchParams.get('request')!;

    // Clickjacking: the page frames the consent page; the browser shows nothing of it.
    await pageB.evaluate(
      (src) =>
        new Promise<void>((resolve) => {
          const frame = document.createElement('iframe');
          frame.onload = () => resolve();
          frame.src = src;
          document.body.append(frame);
        }),
      consentUrl,
    );
    for (const frame of pageB.frames()) assert.equal(await frame.locator('#allow').count(), 0, `frame ${frame.url()}`);

    // A forged answer: a form the page posts itself (top-level, in another tab of that origin), and a no-cors fetch.
    const forger = await browser.context.newPage();
    await forger.goto(`${siteB.origin}/`);
    const [answer] = await Promise.all([
      forger.waitForNavigation(),
      forger.evaluate(
        ({ action, request }) => {
          const form = document.createElement('form');
          form.method = 'post';
          form.action = action;
          for (const [name, value] of [['request', request], ['csrf', '0'.repeat(32)], ['decision', 'allow']]) {
            const input = document.createElement('input');
            input.type = 'hidden';
            input.name = name!;
            input.value = value!;
            form.append(input);
          }
          document.body.append(form);
          form.submit();
        },
        { action: `${welcome}/consent/decide`, request },
      ),
    ]);
    assert.equal(answer!.status(), 403);
    assert.match(await forger.locator('body').innerText(), /origin-not-allowed/);
    await forger.goto(`${siteB.origin}/`);
    assert.equal(
      await forger.evaluate(
        async ({ action, request }) => (await fetch(action, { method: 'POST', mode: 'no-cors', body: new URLSearchParams({ request, csrf: '0'.repeat(32), decision: 'allow' }) })).type,
        { action: `${welcome}/consent/decide`, request },
      ),
      'opaque',
    );
    await forger.close();
    const still = await fetch(`${svc.base}/fa/RequestAccess`, { method: 'POST', headers: { origin: siteB.origin, 'content-type': 'application/json' }, body: JSON.stringify({ params: { request } }) });
    assert.equal((((await still.json()) as { result: [AccessGrant] }).result[0]).state, 'pending', 'the forged answers decided nothing');

    // The user allows it on the consent page: the waiting connect() goes through.
    await allowOnConsentPage(consentUrl, siteB.origin);
    const seen = await pageB.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      w.client = await w.connecting;
      w.buffers = 0;
      w.states = [];
      w.client.on('buffer', () => w.buffers++);
      w.client.on('connection', (change) => w.states.push(change.state));
      const devices = (await w.client.listDevices()).map((d) => d.id);
      const grant = await fetch(`http://127.0.0.1:${port}/fa/RequestAccess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"params":{}}' });
      w.token = ((await grant.json()) as { result: [{ token: string }] }).result[0].token;
      return { devices, session: w.client.sessionId, count: await w.client.getImageCount() };
    }, svc.ports.http);
    assert.deepEqual(seen.devices, ['demo:scanner', 'demo:flatbed']);
    assert.notEqual(seen.session, sessionA);
    assert.equal(seen.count, 0);
    // Approved now, the page reads the service's answers, and A's session does not exist for it.
    const foreign = await pageB.evaluate(
      async ({ port, session }) => {
        const w = window as unknown as TestWindow;
        const res = await fetch(`http://127.0.0.1:${port}/f/RemoveAllImages`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scanbridge-token': w.token }, body: JSON.stringify({ id: session }) });
        const img = await fetch(`http://127.0.0.1:${port}/dwt/dwt_0/img?id=${session}&index=0`, { headers: { 'x-scanbridge-token': w.token } });
        return [res.status, ((await res.json()) as { error: { code: string } }).error.code, img.status, img.headers.get('content-type')];
      },
      { port: svc.ports.http, session: sessionA },
    );
    assert.deepEqual(foreign, [404, 'unknown-session', 404, 'application/json; charset=utf-8']);
    assert.equal(await countA(), 2);
  });

  it("revoking on the welcome page stops the page at once: its calls, its open WebSocket and its image URLs; the SDK asks the user again", async () => {
    const before = await pageA.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      const grant = await fetch(`http://127.0.0.1:${port}/fa/RequestAccess`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"params":{}}' });
      w.token = ((await grant.json()) as { result: [{ token: string }] }).result[0].token;
      w.socketLog = { messages: [], code: null };
      w.socket = new WebSocket(`ws://127.0.0.1:${port}/ws?id=${w.client.sessionId}&token=${encodeURIComponent(w.token)}`);
      w.socket.onmessage = (e) => w.socketLog.messages.push(String(e.data));
      w.socket.onclose = (e) => (w.socketLog.code = e.code);
      await new Promise((resolve) => (w.socket.onopen = resolve));
      w.socket.send(JSON.stringify({ method: 'GetImageCount', id: w.client.sessionId, params: {}, cmdId: 'before' }));
      const res = await fetch(`http://127.0.0.1:${port}/fa/ListDevices`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scanbridge-token': w.token }, body: '{"params":{}}' });
      return res.status;
    }, svc.ports.http);
    assert.equal(before, 200);
    await pageA.waitForFunction(() => (window as unknown as TestWindow).socketLog.messages.length === 1);

    const admin = await browser.context.newPage();
    await admin.goto(`${welcome}/`);
    const row = admin.locator('#approvals tr', { hasText: siteA.origin });
    await Promise.all([admin.waitForNavigation(), row.getByRole('button', { name: 'Revoke' }).click()]);
    assert.equal(new URL(admin.url()).pathname, '/');
    assert.equal(await admin.locator('#approvals tr', { hasText: siteA.origin }).count(), 0);
    assert.ok(await admin.locator('#approvals', { hasText: siteB.origin }).isVisible(), 'only that website was revoked');
    await admin.close();

    const afterRevoke = await pageA.evaluate(async (port) => {
      const w = window as unknown as TestWindow;
      const call = await fetch(`http://127.0.0.1:${port}/fa/ListDevices`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scanbridge-token': w.token }, body: '{"params":{}}' }).then(
        (res) => String(res.status),
        (err: Error) => err.name,
      );
      w.socket.send(JSON.stringify({ method: 'GetImageCount', id: w.client.sessionId, params: {}, cmdId: 'after' }));
      const image = await new Promise<ImageOutcome>((resolve) => {
        const img = new Image();
        img.onload = () => resolve('loaded');
        img.onerror = () => resolve('error');
        img.src = w.urls[0]!.replace('width=150', 'width=151');
      });
      return { call, image };
    }, svc.ports.http);
    assert.deepEqual(afterRevoke, { call: 'TypeError', image: 'error' });
    // The browser hides the answer from the page; the service's answer is token-invalid.
    const token = await pageA.evaluate(() => (window as unknown as TestWindow).token);
    const refused = await asPage(siteA.origin, token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error!.code, 'token-invalid');
    // The WebSocket the page opened before the revocation is refused on its next message, and closed.
    await pageA.waitForFunction(() => (window as unknown as TestWindow).socketLog.messages.length === 2);
    const answer = JSON.parse((await pageA.evaluate(() => (window as unknown as TestWindow).socketLog.messages[1]!))) as { error?: { code: string } };
    assert.equal(answer.error?.code, 'token-invalid', JSON.stringify(answer));
    await pageA.waitForFunction(() => (window as unknown as TestWindow).socketLog.code !== null);
    assert.equal(await pageA.evaluate(() => (window as unknown as TestWindow).socketLog.code), 4403);

    // The SDK's next call asks the user again (its consent dialog); declining ends the call.
    const call = pageA.evaluate(async () => {
      try {
        return { count: await (window as unknown as TestWindow).client.getImageCount() };
      } catch (err) {
        return { code: (err as { code?: string }).code, message: (err as Error).message };
      }
    });
    const dialog = pageA.locator('[data-scanbridge-dialog=consent] dialog');
    const first = await Promise.race([dialog.waitFor().then(() => 'dialog'), call.then((outcome) => JSON.stringify(outcome))]);
    assert.equal(first, 'dialog', 'the call asks the user before it ends');
    assert.match(await dialog.innerText(), new RegExp(`${siteA.origin.replace(/[.:/]/g, '\\$&')} asks to use the scanners`));
    await dialog.getByRole('button', { name: 'Not now' }).click();
    const declined = await call;
    assert.equal(declined.code, 'origin-not-allowed');
    assert.match(declined.message!, /did not allow/);
    assert.equal(await countA(), 2, 'revoking stops the page; its pages stay until its session ends');
  });

  it('revoking with `scanbridge origins revoke` stops the page at once, including the event socket of its SDK client', async () => {
    const sessionB = await pageB.evaluate(() => (window as unknown as TestWindow).client.sessionId);
    const cli = await runCli(['origins', 'revoke', siteB.origin, '--home', svc.home]);
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(cli.stdout.trim(), `${siteB.origin} is no longer allowed; its tokens stop working now`);
    const token = await pageB.evaluate(() => (window as unknown as TestWindow).token);
    const refused = await asPage(siteB.origin, token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error!.code, 'token-invalid');

    // The SDK's next call asks the page's consent UI again, which declines.
    const promptsBefore = await pageB.evaluate(() => (window as unknown as TestWindow).prompts.length);
    const asked = await pageB.evaluate(async () => {
      const w = window as unknown as TestWindow;
      w.decline = true;
      const prompts = w.prompts.length;
      const outcome = await w.client.getImageCount().then(
        (count) => ({ count }),
        (err: { code?: string }) => ({ code: err.code }),
      );
      return { outcome, prompts: w.prompts.length - prompts };
    });
    assert.deepEqual(asked, { outcome: { code: 'origin-not-allowed' }, prompts: 1 });

    // A change of the page's buffer would be an event on its socket: the service closes the socket instead.
    const data = (await rpc(svc.base, 'f', 'GetImage', { page: 0 }, sessionA)).body.result![0] as { data: string };
    assert.equal((await rpc(svc.base, 'f', 'AddImage', { data: data.data }, sessionB)).status, 200);
    await pageB.waitForFunction(() => {
      const w = window as unknown as TestWindow;
      return w.buffers > 0 || w.states.includes('reconnecting');
    });
    // Reconnecting asks the user once more; declining ends the client instead of asking at every attempt.
    await pageB.waitForFunction(() => (window as unknown as TestWindow).states.includes('closed'));
    const seen = await pageB.evaluate(() => {
      const w = window as unknown as TestWindow;
      return { buffers: w.buffers, states: w.states, prompts: w.prompts.length, state: w.client.state };
    });
    assert.equal(seen.buffers, 0, 'no event reached the revoked page');
    assert.equal(seen.states[0], 'reconnecting', 'the service closed the socket');
    assert.equal(seen.states.at(-1), 'closed');
    assert.equal(seen.prompts, promptsBefore + asked.prompts + 1, 'one more question, when reconnecting');
    await assert.rejects(
      pageB.evaluate(() => (window as unknown as TestWindow).client.getImageCount()),
      /this client was closed/,
    );
  });
});

/** A web server run as another user account (`nobody`): "where it binds, it serves <title>squatter</title>". */
interface Squatter {
  /** The port it listens on, or the error that kept it from listening (EADDRINUSE). */
  port: number | null;
  error: string | null;
  stop(): void;
}

const NOBODY = 65534;

async function squat(host: string, port: number): Promise<Squatter> {
  const script = `const [host, port] = process.argv.slice(1);
const s = require('http').createServer((q, r) => r.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>squatter</title><p>not scanbridge</p>'));
s.on('error', (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
s.listen({ host, port: Number(port), ipv6Only: host === '::1' }, () => console.log(JSON.stringify({ port: s.address().port })));`;
  const child = spawn(process.execPath, ['-e', script, host, String(port)], { uid: NOBODY, gid: NOBODY, cwd: '/', stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const answer = JSON.parse(line) as { port?: number; error?: string };
  return { port: answer.port ?? null, error: answer.error ?? null, stop: () => child.kill() };
}

/** What a page served by a squatter gets from the service: its RequestAccess answer, the service's demo page (which holds the grant), the SDK. */
async function attackFromSquatterPage(page: Page, api: number, welcome: string) {
  return page.evaluate(
    async ({ api, welcome }) => {
      const base = `http://127.0.0.1:${api}`;
      const json = { 'content-type': 'application/json' };
      const read = async (url: string, init?: RequestInit) => {
        try {
          return (await (await fetch(url, init)).text()).slice(0, 200);
        } catch (err) {
          return (err as Error).name;
        }
      };
      await new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = `${base}/sdk/scanbridge.js`;
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      });
      const prompts: ConsentPrompt[] = [];
      const sdk = await scanbridge
        .connect({ httpPort: api, storageKey: false, onConsent: (p) => (prompts.push(p), { cancelled: Promise.resolve(), close: () => undefined }) })
        .then(
          () => 'connected',
          (err: { code?: string }) => err.code,
        );
      return {
        origin: location.origin,
        access: (await (await fetch(`${base}/fa/RequestAccess`, { method: 'POST', headers: json, body: '{"params":{}}' })).json()) as { result?: [AccessGrant]; error?: { code: string } },
        demo: await read(`${welcome}/demo/`),
        welcome: await read(`${welcome}/`),
        listDevices: await read(`${base}/fa/ListDevices`, { method: 'POST', headers: json, body: '{"params":{}}' }),
        sdk,
        prompts: prompts.length,
      };
    },
    { api, welcome },
  );
}

function assertGotNothing(outcome: Awaited<ReturnType<typeof attackFromSquatterPage>>): void {
  const where = outcome.origin;
  assert.equal(outcome.access.error?.code, 'origin-not-allowed', `${where}: ${JSON.stringify(outcome.access)}`);
  assert.equal(outcome.sdk, 'origin-not-allowed', where);
  assert.equal(outcome.prompts, 0, `${where}: no consent page is offered for it`);
  assert.equal(outcome.demo, 'TypeError', `${where}: the service's demo page (and its grant) is not readable`);
  assert.equal(outcome.welcome, 'TypeError', where);
  assert.equal(outcome.listDevices, 'TypeError', where);
}

describe('squatters on loopback addresses, run as another account (nobody)', () => {
  let browser: Browser;
  const services: InProcess[] = [];
  const squatters: Squatter[] = [];
  const squatAt = async (host: string, port: number) => {
    const s = await squat(host, port);
    squatters.push(s);
    return s;
  };

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'these tests run as root (CI does), to start a process as nobody');
    browser = await launchChromium();
  });
  after(async () => {
    for (const s of squatters) s.stop();
    await browser?.close();
    for (const svc of services) await svc.close();
  });

  it('started after the service, a squatter cannot take [::1] on any port of it; localhost reaches the service; on 127.0.0.2 its page gets nothing', async () => {
    const svc = await startInProcess();
    services.push(svc);
    for (const [name, port] of Object.entries(svc.ports)) {
      assert.deepEqual((await squatAt('::1', port)).error, 'EADDRINUSE', `${name}: [::1]:${port}`);
    }
    const other = await squatAt('127.0.0.2', svc.ports.welcomeHttp);
    assert.equal(other.port, svc.ports.welcomeHttp, 'another loopback address is free to take');
    const page = await browser.context.newPage();
    await page.goto(`http://localhost:${svc.ports.welcomeHttp}/`);
    assert.match(await page.title(), /^scanbridge /, 'localhost is the service');
    await page.goto(`http://127.0.0.2:${svc.ports.welcomeHttp}/`);
    assert.equal(await page.title(), 'squatter');
    assertGotNothing(await attackFromSquatterPage(page, svc.ports.http, `http://127.0.0.1:${svc.ports.welcomeHttp}`));
    await page.close();
    assert.deepEqual(((await rpc(svc.base, 'fa', 'ListOrigins')).body.result![0] as Array<{ origin: string }>).filter((a) => a.origin.includes('127.0.0.2')), []);
  });

  it('started before the service on [::1] of both welcome ports, its page (reached as localhost or [::1]) gets no token, no grant and no consent page', async () => {
    const first = await squatAt('::1', 0);
    const second = await squatAt('::1', 0);
    const svc = await startInProcess({ 'welcome-http-port': String(first.port), 'welcome-https-port': String(second.port) });
    services.push(svc);
    assert.equal(svc.service.warnings.length, 2, 'the service says it could not hold [::1]');
    const welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
    const page = await browser.context.newPage();
    for (const url of [`http://localhost:${svc.ports.welcomeHttp}/`, `http://[::1]:${svc.ports.welcomeHttp}/`, `http://[::1]:${svc.ports.welcomeHttps}/`]) {
      await page.goto(url);
      // Chromium may reach localhost over either address; wherever the squatter answers, its page gets nothing.
      if ((await page.title()) === 'squatter') assertGotNothing(await attackFromSquatterPage(page, svc.ports.http, welcome));
      else assert.ok(url.includes('localhost'), `${url} reached the service`);
    }
    await page.close();
    const origins = ((await rpc(svc.base, 'fa', 'ListOrigins')).body.result![0] as Array<{ origin: string; lastUsed: string | null }>).filter((a) => a.lastUsed !== null);
    assert.deepEqual(origins, [], 'no token was issued or used');
  });
});

describe('pages of the welcome ports in Chromium: not readable, not frameable', () => {
  let svc: InProcess;
  let browser: Browser;
  let site: PageServer;
  let welcome: string;

  before(async () => {
    site = await servePage();
    svc = await startInProcess();
    welcome = `http://127.0.0.1:${svc.ports.welcomeHttp}`;
    site.html = `<!doctype html><html lang="en"><body><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    assert.equal((await rpc(svc.base, 'fa', 'AllowOrigin', { origin: site.origin })).status, 200);
    browser = await launchChromium();
    await browser.page.goto(`${site.origin}/`);
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
  });

  it("an approved page reads neither a pending consent page (its form secret) nor the welcome page (its revoke secret) nor the demo (its grant)", async () => {
    const pending = await fetch(`${svc.base}/fa/RequestAccess`, { method: 'POST', headers: { origin: 'https://waiting.example', 'content-type': 'application/json' }, body: '{"params":{}}' });
    const { consentUrl } = ((await pending.json()) as { result: [{ consentUrl: string }] }).result[0];
    const seen = await browser.page.evaluate(
      async ({ port, urls }) => {
        const w = window as unknown as TestWindow;
        w.client = await scanbridge.connect({ httpPort: port, storageKey: false });
        const read = (url: string) => fetch(url).then((r) => r.text().then((t) => t.slice(0, 40)), (err: Error) => err.name);
        return Promise.all(urls.map(read));
      },
      { port: svc.ports.http, urls: [consentUrl, `${welcome}/`, `${welcome}/demo/`, `${welcome}/demo/index.html`] },
    );
    assert.deepEqual(seen, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  });

  it('the demo, the consent page and the welcome page cannot be framed (the demo not even pointed at another port)', async () => {
    const pending = await fetch(`${svc.base}/fa/RequestAccess`, { method: 'POST', headers: { origin: 'https://framed.example', 'content-type': 'application/json' }, body: '{"params":{}}' });
    const { consentUrl } = ((await pending.json()) as { result: [{ consentUrl: string }] }).result[0];
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/`);
    const targets = [`${welcome}/demo/`, `${welcome}/demo/?http=${svc.ports.http}`, `${welcome}/demo?http=1`, consentUrl, `${welcome}/`];
    await page.evaluate(
      (srcs) =>
        Promise.all(
          srcs.map(
            (src) =>
              new Promise<void>((resolve) => {
                const frame = document.createElement('iframe');
                frame.onload = () => resolve();
                frame.src = src;
                document.body.append(frame);
              }),
          ),
        ),
      targets,
    );
    assert.equal(page.frames().length, targets.length + 1);
    for (const frame of page.frames()) {
      assert.equal(await frame.locator('#scan-form, #allow, #devices, #status').count(), 0, `frame ${frame.url()} shows nothing of the service`);
    }
    await page.close();
  });
});

describe('the SDK and a fake service (anything may answer on the port)', () => {
  let svc: InProcess;
  let browser: Browser;
  let site: PageServer;
  let fake: Server;
  let fakePort: number;
  /** What the fake answers to RequestAccess. */
  let answer: object;

  before(async () => {
    site = await servePage();
    svc = await startInProcess();
    site.html = `<!doctype html><html lang="en"><body><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    fake = createServer((req, res) => {
      const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': '*', 'access-control-allow-private-network': 'true' };
      if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
    fakePort = (fake.address() as { port: number }).port;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => fake?.close(resolve));
    await svc?.close();
    await site?.close();
  });

  it('a consent address that is not an http(s) page on loopback is never shown nor handed to the page (javascript:, data:, other hosts)', async () => {
    for (const consentUrl of ['javascript:window.pwned=1', ' JaVaScRiPt:window.pwned=1', 'data:text/html,<script>alert(1)</script>', 'http://evil.example/consent', 'https://user:pw@127.0.0.1/consent', '//127.0.0.1/consent', 'vbscript:msgbox(1)']) {
      answer = { result: [{ state: 'pending', origin: site.origin, request: '0'.repeat(32), consentUrl }] };
      const page = await browser.context.newPage();
      await page.goto(`${site.origin}/`);
      const outcome = await page.evaluate(async (port) => {
        const prompts: string[] = [];
        const own = await scanbridge.connect({ httpPort: port, storageKey: false, onConsent: (p) => (prompts.push(p.consentUrl), { cancelled: Promise.resolve(), close: () => undefined }) }).catch((err: { code?: string }) => err.code);
        // The SDK's dialog would wait for the user: what shows first, the dialog or the refusal?
        const refused = scanbridge.connect({ httpPort: port, storageKey: false }).then(
          () => 'connected',
          (err: { code?: string }) => err.code,
        );
        const shown = new Promise<string>((resolve) => {
          const look = () => (document.querySelector('[data-scanbridge-dialog]') ? resolve('dialog shown') : setTimeout(look, 20));
          look();
        });
        const dialog = await Promise.race([refused, shown]);
        return { own, dialog, prompts, dialogs: document.querySelectorAll('[data-scanbridge-dialog]').length };
      }, fakePort);
      assert.deepEqual(outcome, { own: 'internal-error', dialog: 'internal-error', prompts: [], dialogs: 0 }, consentUrl);
      await page.close();
    }
  });

  it('a loopback consent address is shown as a link set with DOM APIs; markup in the answer stays text', async () => {
    const origin = '<img src=x onerror="window.pwned=1">';
    answer = { result: [{ state: 'pending', origin, request: '0'.repeat(32), consentUrl: `http://127.0.0.1:${svc.ports.welcomeHttp}/consent?request=1"><img src=x onerror="window.pwned=1">` }] };
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/`);
    await page.evaluate((port) => void scanbridge.connect({ httpPort: port, storageKey: false, consentPollMs: 60_000 }).catch(() => undefined), fakePort);
    const dialog = page.locator('[data-scanbridge-dialog=consent] dialog');
    await dialog.waitFor();
    const link = dialog.getByRole('link', { name: 'Open scanbridge to allow' });
    assert.equal(await link.getAttribute('href'), `http://127.0.0.1:${svc.ports.welcomeHttp}/consent?request=1%22%3E%3Cimg%20src=x%20onerror=%22window.pwned=1%22%3E`);
    assert.equal(await dialog.locator('.origin').innerText(), origin);
    assert.equal(await dialog.locator('img').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    await page.close();
  });

  it("the install dialog links only to the SDK's own http(s) install address, never one from an answer", async () => {
    answer = { error: { code: 'service-not-found', message: 'not here', details: { installUrl: 'javascript:window.pwned=1' } } };
    for (const [installUrl, expected] of [
      [undefined, DEFAULT_INSTALL_URL],
      ['https://intranet.example/install', 'https://intranet.example/install'],
      ['javascript:window.pwned=1', null],
    ] as const) {
      const page = await browser.context.newPage();
      await page.goto(`${site.origin}/`);
      await page.evaluate(({ port, installUrl }) => void scanbridge.connect({ httpPort: port, storageKey: false, installPrompt: true, ...(installUrl ? { installUrl } : {}) }).catch(() => undefined), { port: fakePort, installUrl });
      const dialog = page.locator('[data-scanbridge-dialog=install] dialog');
      await dialog.waitFor();
      const links = await dialog.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, expected === null ? [] : [expected], String(installUrl));
      await page.close();
    }
  });
});

describe('reloading a page that waits for consent (Chromium)', () => {
  let svc: InProcess;
  let browser: Browser;
  let site: PageServer;

  before(async () => {
    site = await servePage();
    svc = await startInProcess();
    site.html = `<!doctype html><html lang="en"><body><script src="${svc.base}/sdk/scanbridge.js"></script></body></html>`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.close();
    await site?.close();
  });

  it('shows the consent dialog after every reload, with the same consent page, and connects once the user allows it', async () => {
    const page = browser.page;
    const links: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i === 0) await page.goto(`${site.origin}/`);
      else await page.reload();
      const outcome = await page.evaluate(
        (port) =>
          new Promise<string>((resolve) => {
            scanbridge.connect({ httpPort: port, storageKey: false, consentPollMs: 100 }).then(
              (c) => ((window as unknown as TestWindow).client = c),
              (err: { code?: string }) => resolve(`refused: ${err.code}`),
            );
            const look = () => (document.querySelector('[data-scanbridge-dialog=consent]') ? resolve('dialog') : setTimeout(look, 20));
            look();
          }),
        svc.ports.http,
      );
      assert.equal(outcome, 'dialog', `load ${i + 1}`);
      const dialog = page.locator('[data-scanbridge-dialog=consent] dialog');
      links.push((await dialog.getByRole('link', { name: 'Open scanbridge to allow' }).getAttribute('href'))!);
    }
    assert.equal(new Set(links).size, 1, links.join('\n'));
    const consent = await browser.context.newPage();
    await consent.goto(links[0]!);
    await Promise.all([consent.waitForNavigation(), consent.locator('#allow').click()]);
    await consent.close();
    await page.waitForFunction(() => (window as unknown as TestWindow).client !== undefined);
    assert.deepEqual(await page.evaluate(async () => (await (window as unknown as TestWindow).client.listDevices()).map((d) => d.id)), ['demo:scanner', 'demo:flatbed']);
  });
});
