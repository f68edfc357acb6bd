/**
 * The demo in real Chromium against a real service, as a developer tries it
 * in the first hour: scan 10 pages, see them, reorder by drag and drop,
 * rotate, save a PDF (checked with pdfinfo, pdftoppm and zbarimg), then the
 * service crashes and comes back and the page carries on with its 10 pages.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import type { PageInfo } from '@scanbridge/protocol';
import { rpc, startChild, tempHome, type ChildService } from '@scanbridge/service/dist/test-support/service-harness.js';
import { launchChromium, until, type Browser } from '@scanbridge/client/test-support/chromium';
import { samePortFlags } from '@scanbridge/client/test-support/same-ports';
import { textPage } from '@scanbridge/service/dist/addons/ocr/test-pages.js';
import { artifact, chooseDevice, demoSession, documentIdsOf, pdfPageSizes, run, saveAs, scanEnded, scanFromFeeder, screenshot, shownOrder, waitConnected, waitPagesShown, waitPageVersion } from './demo-page.js';

async function bufferOrder(svc: ChildService, session: string): Promise<PageInfo[]> {
  return (await rpc(svc.base, 'f', 'GetImagesInfo', {}, session)).body.result![0] as PageInfo[];
}

describe('demo application in Chromium', () => {
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

  it('scans 10 pages, reorders, rotates, saves a PDF in the order shown, and survives a crash of the service', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    const session = await demoSession(page);

    // Scan: 10 thumbnails appear.
    await scanFromFeeder(page, 10, 150);
    await waitPagesShown(page, 10);
    const scanned = (await bufferOrder(svc, session)).map((p) => p.id);
    assert.equal(scanned.length, 10);
    assert.deepEqual(await shownOrder(page), scanned);
    const thumbs = page.locator('scan-viewer .thumb');
    assert.equal(await thumbs.nth(0).getAttribute('aria-label'), 'Page 1 of 10');
    await screenshot(page, 'demo-after-scan.png');

    // Drag the first page onto the top half of the fourth: it lands before it.
    await thumbs.nth(0).dragTo(thumbs.nth(3), { targetPosition: { x: 30, y: 8 } });
    const reordered = [scanned[1]!, scanned[2]!, scanned[0]!, ...scanned.slice(3)];
    await until(() => bufferOrder(svc, session), (pages) => pages.map((p) => p.id).join() === reordered.join());
    await until(() => shownOrder(page), (order) => order.join() === reordered.join());
    await page.locator('scan-viewer [role=status]', { hasText: 'Page moved to position 3 of 10.' }).waitFor({ state: 'attached' });

    // Rotate the fifth page to the right.
    const fifth = (await bufferOrder(svc, session))[4]!;
    await thumbs.nth(4).click();
    await page.locator('[data-action=rotate-right]').click();
    const rotated = await until(() => bufferOrder(svc, session), (pages) => pages[4]!.version > fifth.version);
    assert.deepEqual([rotated[4]!.width, rotated[4]!.height], [fifth.height, fifth.width]);
    await waitPageVersion(page, rotated[4]!);
    await screenshot(page, 'demo-after-edits.png');

    // Save as PDF: 10 pages, in the order shown, the rotated one landscape.
    const pdf = await saveAs(page, 'pdf', 'demo-scan.pdf');
    const { stdout: info } = await run('pdfinfo', [pdf]);
    assert.match(info, /^Pages:\s+10$/m);
    const sheetOf = (id: string) => `SB-DEMO-${String(scanned.indexOf(id) + 1).padStart(4, '0')}-F`;
    assert.deepEqual(await documentIdsOf(pdf), (await shownOrder(page)).map(sheetOf));
    const sizes = await pdfPageSizes(pdf, 10);
    assert.deepEqual(
      sizes.map((s) => s.width > s.height),
      sizes.map((_, i) => i === 4),
      'only the rotated page is landscape',
    );

    // The service crashes and comes back on the same ports: the page reconnects with its 10 pages.
    const shown = await shownOrder(page);
    const ports = svc.ports;
    await svc.kill9();
    await page.locator('#status[data-state=reconnecting]').waitFor();
    svc = await startChild(home, samePortFlags(ports));
    await waitConnected(page);
    await waitPagesShown(page, 10);
    assert.deepEqual(await shownOrder(page), shown);
    assert.deepEqual((await bufferOrder(svc, session)).map((p) => p.id), shown);
    assert.equal(await demoSession(page), session);
    await screenshot(page, 'demo-after-restart.png');

    assert.equal(await page.locator('#error').isVisible(), false, await page.locator('#error').textContent() ?? '');
    assert.deepEqual(browser.pageErrors.map(String), []);
  });

  it('marks blank pages, crops a page with the pointer, saves TIFF and JPEG', async () => {
    const { page } = browser;
    const session = await demoSession(page);
    await rpc(svc.base, 'f', 'RemoveAllImages', {}, session);
    await until(() => shownOrder(page), (order) => order.length === 0);

    // Three sheets, both sides, with blank backs: six pages, every second one blank.
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=duplex]').check();
    await page.locator('[name=dpi]').selectOption('100');
    await page.locator('[name="option:sheets"]').fill('3');
    await page.locator('[name="option:pattern"]').selectOption('blank-backs');
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '6 page(s) scanned.');
    await waitPagesShown(page, 6);
    const scanned = (await bufferOrder(svc, session)).map((p) => p.id);

    await page.locator('[data-action=mark-blank]').click();
    await page.locator('#progress', { hasText: '3 blank page(s) selected' }).waitFor();
    const backs = [scanned[1]!, scanned[3]!, scanned[5]!];
    assert.deepEqual((await bufferOrder(svc, session)).filter((p) => p.tags.includes('blank')).map((p) => p.id), backs);
    await until(() => page.locator('scan-viewer .thumb[aria-selected=true]').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id!)), (ids) => ids.join() === backs.join());
    // The tags arrive as buffer events after the selection: wait for the viewer to show them.
    await until(() => page.locator('scan-viewer .thumb .tag').count(), (n) => n === 3);
    await until(async () => (await page.locator('scan-viewer .thumb').nth(1).getAttribute('aria-label')) ?? '', (label) => /^Page 2 of 6, blank$/.test(label));
    await screenshot(page, 'demo-blank-pages.png');
    await page.locator('[data-action=delete]').click();
    await until(() => shownOrder(page), (order) => order.join() === [scanned[0], scanned[2], scanned[4]].join());

    // Crop the first page to the middle of what is shown: a rectangle drawn on the large view.
    await page.locator('scan-viewer .thumb').nth(0).click();
    const before = (await bufferOrder(svc, session))[0]!;
    await waitPageVersion(page, before);
    await page.locator('[data-action=crop]').click();
    const box = (await page.locator('scan-viewer img.large').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.25);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.5, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.75, { steps: 5 });
    await page.mouse.up();
    const cropped = (await until(() => bufferOrder(svc, session), (pages) => pages[0]!.version > before.version))[0]!;
    assert.ok(Math.abs(cropped.width - before.width / 2) <= before.width * 0.02, `width ${cropped.width} of ${before.width}`);
    assert.ok(Math.abs(cropped.height - before.height / 2) <= before.height * 0.02, `height ${cropped.height} of ${before.height}`);
    await waitPageVersion(page, cropped);
    await screenshot(page, 'demo-after-crop.png');

    // TIFF holds every page; JPEG is the current page, cropped.
    const tiff = await saveAs(page, 'tiff', 'demo-scan.tif');
    const { stdout: tiffInfo } = await run('tiffinfo', [tiff]);
    assert.equal(tiffInfo.match(/^TIFF Directory at offset/gm)?.length, 3);
    assert.match(tiffInfo, new RegExp(`Image Width: ${cropped.width} Image Length: ${cropped.height}`));
    const jpeg = await saveAs(page, 'jpeg', 'demo-page.jpg');
    const { stdout: pnm } = await run('jpegtopnm', [jpeg], { encoding: 'buffer', maxBuffer: 1 << 28 });
    assert.deepEqual(pnm.subarray(0, 40).toString('latin1').split(/\s+/).slice(1, 3).map(Number), [cropped.width, cropped.height]);
    assert.deepEqual(browser.pageErrors.map(String), []);
  });
  it('splits a scan by blank page, lists the documents and the codes per page, outlines codes, saves each document', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    const session = await demoSession(page);
    await rpc(svc.base, 'f', 'RemoveAllImages', {}, session);
    await until(() => shownOrder(page), (order) => order.length === 0);
    await chooseDevice(page, 'demo:scanner');
    // Three sheets, both sides, blank backs: the blank pages separate the documents and go.
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=duplex]').check();
    await page.locator('[name=dpi]').selectOption('150');
    await page.locator('#settings details summary').click();
    await page.locator('[name="option:sheets"]').fill('3');
    await page.locator('[name="option:pattern"]').selectOption('blank-backs');
    await page.locator('#split').selectOption('blank');
    assert.equal(await page.locator('#drop-separators').isChecked(), true);
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '6 page(s) scanned.');
    const fronts = [1, 2, 3].map((n) => `SB-DEMO-000${n}-F`);
    await page.locator('#documents li').nth(2).waitFor();
    assert.deepEqual(await page.locator('#documents li').allTextContents(), fronts.map((f) => `${f}: 1 page(s)`));
    await waitPagesShown(page, 3);
    await until(() => page.locator('scan-viewer .thumb.doc-end').count(), (n) => n === 3);
    assert.equal(await page.locator('scan-viewer .thumb').nth(0).getAttribute('aria-label'), `Page 1 of 3, end of document ${fronts[0]}`);

    // Read barcodes: each page's codes listed; the shown page's codes outlined.
    await page.locator('[data-action=read-barcodes]').click();
    await page.locator('#progress', { hasText: 'code(s) on 3 page(s)' }).waitFor();
    const listed = await page.locator('#codes li').allTextContents();
    assert.equal(listed.length, 3);
    listed.forEach((text, i) => assert.ok(text.startsWith(`Page ${i + 1}: `) && text.includes(`Code128 ${fronts[i]}`) && text.includes('QRCode '), text));
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.codes polygon').length >= 2);
    await screenshot(page, 'demo-documents.png');

    // Each document as its own PDF, named after its code.
    const downloads: Promise<string>[] = [];
    const onDownload = (d: import('playwright-core').Download) => downloads.push(artifact(`demo-${d.suggestedFilename()}`).then(async (file) => (await d.saveAs(file), file)));
    page.on('download', onDownload);
    await page.locator('#save-documents').click();
    await until(async () => downloads.length, (n) => n === 3);
    page.off('download', onDownload);
    const files = await Promise.all(downloads);
    assert.deepEqual(files.map((f) => f.split('/').pop()), fronts.map((f) => `demo-${f}.pdf`));
    for (const [i, file] of files.entries()) {
      assert.match((await run('pdfinfo', [file])).stdout, /^Pages:\s+1$/m);
      assert.deepEqual(await documentIdsOf(file), [fronts[i]]);
    }
    assert.equal(await page.locator('#error').isVisible(), false, (await page.locator('#error').textContent()) ?? '');
    assert.deepEqual(browser.pageErrors.map(String), []);
  });

  it('shows the progress of the page being scanned, numbered from 1, from its first event', async () => {
    const { page } = browser;
    // A fresh form (the tests before changed its settings).
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    await chooseDevice(page, 'demo:scanner');
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=dpi]').selectOption('100');
    await page.locator('#settings details summary').click();
    await page.locator('[name="option:sheets"]').fill('2');
    await page.locator('[name="option:pageDelay"]').fill('300');
    // Every text the progress line shows, in order.
    await page.evaluate(() => {
      const shown: string[] = ((window as unknown as { progressShown: string[] }).progressShown = []);
      const line = document.querySelector('#progress')!;
      // Each text set is a new text node: read them from the records, as several sets may come in one batch.
      new MutationObserver((records) => {
        for (const record of records) for (const node of record.addedNodes) shown.push(node.textContent ?? '');
      }).observe(line, { childList: true });
    });
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '2 page(s) scanned.');
    const shown = await page.evaluate(() => (window as unknown as { progressShown: string[] }).progressShown);
    const scanning = shown.filter((text) => text.startsWith('Scanning page'));
    assert.equal(scanning[0], 'Scanning page 1… 0%', shown.join(' | '));
    assert.deepEqual([...new Set(scanning.map((text) => /^Scanning page (\d+)/.exec(text)![1]))], ['1', '2'], shown.join(' | '));
  });

  it('keeps the scanned pages as JPEG when the form says so', async () => {
    const { page } = browser;
    await page.goto(`http://127.0.0.1:${svc.ports.welcomeHttp}/demo`);
    await waitConnected(page);
    await chooseDevice(page, 'demo:scanner');
    const session = await demoSession(page);
    await rpc(svc.base, 'f', 'RemoveAllImages', {}, session);
    await page.locator('[name=source]').selectOption('feeder');
    await page.locator('[name=dpi]').selectOption('100');
    await page.locator('[name=storeJpeg]').selectOption('75');
    await page.locator('#settings details summary').click();
    await page.locator('[name="option:sheets"]').fill('2');
    await page.locator('#scan').click();
    assert.equal(await scanEnded(page), '2 page(s) scanned.');
    assert.deepEqual((await bufferOrder(svc, session)).map((p) => p.format), ['jpeg', 'jpeg']);
  });

  it('Recognise text shows the text of every page and its words over the page', async () => {
    const { page } = browser;
    const session = await demoSession(page);
    await rpc(svc.base, 'f', 'RemoveAllImages', {}, session);
    await until(() => shownOrder(page), (order) => order.length === 0);
    const printed = await Promise.all([textPage({ text: 'de', dpi: 200, font: 'dejavu-sans' }), textPage({ text: 'en', dpi: 200, font: 'liberation-serif', skew: 3 })]);
    for (const p of printed) await rpc(svc.base, 'f', 'LoadImages', { data: p.bytes.toString('base64') }, session);
    await waitPagesShown(page, 2);
    await page.locator('#recognise-languages').fill('deu+eng');
    await page.locator('[data-action=recognise]').click();
    await page.locator('#ocr-progress', { hasText: '2 page(s) recognised.' }).waitFor();
    const texts = await page.locator('pre.ocr-text').allTextContents();
    assert.equal(texts.length, 2);
    assert.match(texts[0]!, /Größere Pakete nimmt die Poststelle an\./);
    assert.match(texts[1]!, /Questions about this invoice go to the accounts department,/);
    assert.deepEqual(await page.locator('#ocr h3').allTextContents(), ['Page 1', 'Page 2']);
    // The current page's words are drawn over it.
    await page.waitForFunction(() => document.querySelector('scan-viewer')!.shadowRoot!.querySelectorAll('.word').length > 20);
  });
});
