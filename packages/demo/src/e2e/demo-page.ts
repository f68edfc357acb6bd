/** What the end-to-end tests do with the demo page, named as a person would do it. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Screenshots and saved files for a person to look at (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../../../artifacts/', import.meta.url));

export const run = promisify(execFile);

export async function artifact(name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}${name}`;
}

/** The id of the session the demo's client uses (window.scanbridgeDemo, there for the console and these tests). */
export function demoSession(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { scanbridgeDemo: { client: { sessionId: string } } }).scanbridgeDemo.client.sessionId);
}

export async function waitConnected(page: Page): Promise<void> {
  await page.locator('#status[data-state=connected]').waitFor();
}

/** Choose a scanner and wait until the settings form shows what it can do. */
export async function chooseDevice(page: Page, device: string): Promise<void> {
  await page.locator('#device').selectOption(device);
  // Or the error the demo shows when the scanner cannot say what it can do: fail with it rather than wait.
  const error = page.locator('#error:not([hidden])');
  await page.locator(`#settings[data-device="${device}"]:not([aria-busy])`).or(error).waitFor();
  if (await error.isVisible()) throw new Error(`choosing ${device} failed: ${await error.textContent()}`);
}

/** Wait until the scan ended and answer the final progress text ("10 page(s) scanned.", or "3 page(s) scanned — failed"). */
export async function scanEnded(page: Page): Promise<string> {
  const progress = page.locator('#progress', { hasText: / page\(s\) scanned(\.| —)/ });
  await progress.waitFor();
  return (await progress.textContent()) ?? '';
}

/** Choose the demo scanner's feeder with `sheets` sheets at `dpi`, and press Scan; resolves when the scan ended. */
export async function scanFromFeeder(page: Page, sheets: number, dpi: number): Promise<void> {
  await chooseDevice(page, 'demo:scanner');
  await page.locator('[name=source]').selectOption('feeder');
  await page.locator('[name=dpi]').selectOption(String(dpi));
  await page.locator('#settings details summary').click();
  await page.locator('[name="option:sheets"]').fill(String(sheets));
  await page.locator('#scan').click();
  const ended = await scanEnded(page);
  if (ended !== `${sheets} page(s) scanned.`) throw new Error(`the scan of ${sheets} sheets ended with "${ended}" (error shown: ${JSON.stringify(await page.locator('#error').textContent())})`);
}

/** Page ids in the order the viewer shows them. */
export function shownOrder(page: Page): Promise<string[]> {
  return page.locator('scan-viewer .thumb').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.id!));
}

/** Wait until the viewer shows `count` pages and the visible thumbnails and the large page have loaded. */
export async function waitPagesShown(page: Page, count: number): Promise<void> {
  await page.waitForFunction((n) => {
    const root = document.querySelector('scan-viewer')?.shadowRoot;
    if (!root || root.querySelectorAll('.thumb').length !== n) return false;
    const visible = [...root.querySelectorAll<HTMLElement>('.thumb')].filter((el) => el.dataset.visible);
    const large = root.querySelector<HTMLImageElement>('img.large');
    return visible.length > 0 && visible.every((el) => el.classList.contains('loaded')) && !!large && large.complete && large.naturalWidth > 0;
  }, count);
}

/** Wait until the viewer shows this version of the page, in its thumbnail and (when current) large. */
export async function waitPageVersion(page: Page, info: { id: string; version: number }): Promise<void> {
  await page.waitForFunction(({ id, version }) => {
    const root = document.querySelector('scan-viewer')?.shadowRoot;
    const thumb = root?.getElementById(`p-${id}`)?.querySelector('img');
    const large = root?.querySelector<HTMLImageElement>('img.large');
    const fresh = (img: HTMLImageElement | null | undefined) => !!img && img.src.includes(`ticks=${version}&`) && img.complete && img.naturalWidth > 0;
    return fresh(thumb) && (!root?.getElementById(`p-${id}`)?.classList.contains('current') || fresh(large));
  }, info);
}

/** Press a Save button (`[data-save=pdf]`...) and keep the file the browser downloads as artifacts/<name>. */
export async function saveAs(page: Page, format: 'pdf' | 'tiff' | 'jpeg', name: string): Promise<string> {
  const download = page.waitForEvent('download');
  await page.locator(`[data-save=${format}]`).click();
  const file = await artifact(name);
  await (await download).saveAs(file);
  return file;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = await artifact(name);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: file });
  return file;
}

/** The demo document id (SB-DEMO-0003-F) printed as a barcode on each page of a PDF, read back by pdftocairo and zbarimg. */
export async function documentIdsOf(pdf: string): Promise<string[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'sb-pdf-pages-'));
  try {
    // pdftocairo rather than pdftoppm: the same rendering of the page as shown, ten times faster on scanned pages.
    await run('pdftocairo', ['-r', '150', '-gray', '-png', pdf, path.join(dir, 'p')]);
    const files = (await readdir(dir)).sort();
    const ids: string[] = [];
    for (const file of files) {
      const { stdout } = await run('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Scode128.enable', path.join(dir, file)]).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
      ids.push(/SB-DEMO-\d{4}-[FB]/.exec(stdout)?.[0] ?? `${file}: no barcode read`);
    }
    return ids;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Page sizes in points from pdfinfo, per page. */
export async function pdfPageSizes(pdf: string, pages: number): Promise<{ width: number; height: number }[]> {
  const { stdout } = await run('pdfinfo', ['-f', '1', '-l', String(pages), pdf]);
  return [...stdout.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m) => ({ width: Number(m[1]), height: Number(m[2]) }));
}
