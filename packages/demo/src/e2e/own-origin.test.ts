/**
 * The demo on an origin of its own, as an integrator's application runs:
 * the first visit asks the user (scanbridge's consent page), an origin the
 * administrator listed connects at once, and a computer without scanbridge
 * gets the install prompt, which connects by itself once scanbridge runs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess, type InProcess } from '@scanbridge/service/dist/test-support/service-harness.js';
import { DEFAULT_INSTALL_URL } from '@scanbridge/client';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { closedPort } from '@scanbridge/client/test-support/same-ports';
import { serveDemo, type DemoServer } from './static-server.js';
import { screenshot, waitConnected } from './demo-page.js';

describe('demo on its own origin', () => {
  let site: DemoServer;
  let browser: Browser;
  const services: InProcess[] = [];
  const start = async (flags: Record<string, string> = {}) => {
    const svc = await startInProcess(flags);
    services.push(svc);
    return svc;
  };

  before(async () => {
    site = await serveDemo();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    for (const svc of services) await svc.close();
    await site?.close();
  });

  it('asks the user the first time, and connects once the user allowed the page on the consent page', async () => {
    const svc = await start();
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/?http=${svc.ports.http}`);
    const dialog = page.locator('[data-scanbridge-dialog=consent] dialog');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(`${site.origin.replace(/[.:/]/g, '\\$&')} asks to use the scanners`));
    await screenshot(page, 'demo-consent-prompt.png');

    const consentPage = browser.context.waitForEvent('page');
    await dialog.getByRole('link', { name: 'Open scanbridge to allow' }).click();
    const consent = await consentPage;
    await consent.waitForLoadState();
    assert.equal(new URL(consent.url()).origin, `http://127.0.0.1:${svc.ports.welcomeHttp}`);
    assert.equal(await consent.locator('#origin').innerText(), site.origin, 'the consent page names the origin the service saw');
    await Promise.all([consent.waitForNavigation(), consent.locator('#allow').click()]);
    assert.ok(await consent.locator('#result').isVisible(), `the consent page answered: ${await consent.locator('body').innerText()}`);

    await waitConnected(page);
    await dialog.waitFor({ state: 'detached' });
    // The list fills once ListDevices answers, a moment after the connection.
    await page.waitForFunction(() => document.querySelectorAll('#device option').length > 0);
    assert.deepEqual(await page.locator('#device option').evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value)), ['demo:scanner', 'demo:flatbed']);
    await page.close();
    await consent.close();
  });

  it('tells the page when the user does not allow it', async () => {
    const svc = await start();
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/?http=${svc.ports.http}`);
    await page.locator('[data-scanbridge-dialog=consent]').getByRole('button', { name: 'Not now' }).click();
    await page.locator('#error', { hasText: '(origin-not-allowed)' }).waitFor();
    assert.match(await page.locator('#error').innerText(), /did not allow/);
    await page.close();
  });

  it('connects without asking when the administrator listed the origin', async () => {
    const svc = await start({ 'allowed-origins': site.origin });
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/?http=${svc.ports.http}`);
    await waitConnected(page);
    assert.equal(await page.locator('[data-scanbridge-dialog]').count(), 0);
    await page.close();
  });

  it('offers to install scanbridge when nothing answers, and connects by itself once it runs', async () => {
    const port = await closedPort();
    const page = await browser.context.newPage();
    await page.goto(`${site.origin}/?http=${port}`);
    const dialog = page.locator('[data-scanbridge-dialog=install] dialog');
    await dialog.waitFor();
    assert.equal(await dialog.getByRole('link', { name: 'How to install' }).getAttribute('href'), DEFAULT_INSTALL_URL);
    await dialog.getByText('Waiting for scanbridge to start…').waitFor();
    await screenshot(page, 'demo-install-prompt.png');

    await start({ 'http-port': String(port), 'allowed-origins': site.origin });
    await waitConnected(page);
    await dialog.waitFor({ state: 'detached' });
    assert.deepEqual(browser.pageErrors.map(String), []);
    await page.close();
  });
});
