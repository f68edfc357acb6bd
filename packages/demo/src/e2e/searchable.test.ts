/**
 * The demo's Searchable checkbox in real Chromium against a real service:
 * a scanned page saved as a searchable PDF through the SDK (client.save with
 * ocr), downloaded by the browser, and checked with poppler: pdftotext finds
 * the page's printed words, pdffonts the text font embedded, and the page
 * image is the one the PDF holds without the checkbox.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, type Browser } from '@scanbridge/client/test-support/chromium';
import { run, saveAs, scanFromFeeder, waitConnected, waitPagesShown } from './demo-page.js';

describe('demo: searchable PDF in Chromium', () => {
  let home: string;
  let svc: ChildService;
  let browser: Browser;

  before(async () => {
    home = await tempHome();
    svc = await startChild(home);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await svc?.stop();
    await rm(home, { recursive: true, force: true });
  });

  it('saves a scanned page as a searchable PDF: its words found by pdftotext, the image as without OCR', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    await scanFromFeeder(page, 1, 300);
    await waitPagesShown(page, 1);

    const plain = await saveAs(page, 'pdf', 'demo-plain.pdf');
    await page.locator('#searchable').check();
    await page.locator('#recognise-languages').fill('eng'); // the field Recognise text uses too
    const searchable = await saveAs(page, 'pdf', 'demo-searchable.pdf');

    await run('qpdf', ['--check', searchable]);
    assert.equal((await run('pdftotext', [plain, '-'])).stdout.trim(), '', 'no text without the checkbox');
    const text = (await run('pdftotext', ['-enc', 'UTF-8', searchable, '-'])).stdout;
    // What the demo scanner prints at the top of its invoice page.
    assert.match(text, /INVOICE/);
    assert.match(text, /Invoice no\./);
    assert.match((await run('pdffonts', [searchable])).stdout, /ScanbridgeGlyphless\s+CID TrueType\s+Identity-H\s+yes\s+no\s+yes/);
    const list = async (f: string) => (await run('pdfimages', ['-list', f])).stdout.split('\n').slice(2).filter(Boolean).map((l) => l.trim().split(/\s+/).filter((_, i) => i !== 10).join(' '));
    assert.deepEqual(await list(searchable), await list(plain));
    const added = (await readFile(searchable)).length - (await readFile(plain)).length;
    console.log(`demo page, 300 dpi: the text layer adds ${added} bytes`);
  });
});
