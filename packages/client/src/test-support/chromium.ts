/**
 * Headless Chromium for the browser tests and benchmarks: Debian's
 * /usr/bin/chromium (installed by scripts/setup.sh --test), driven by
 * playwright-core, with a fresh profile each time. Nothing is downloaded: a
 * missing browser fails the test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SCANBRIDGE_CHROMIUM ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors pages did not handle (uncaught exceptions and unhandled rejections), of every page of the context. */
  pageErrors: Error[];
  close(): Promise<void>;
}

const HANG_GUARD_MS = 3 * 60 * 1000;

/**
 * `args`: more command-line switches (e.g. --ignore-certificate-errors-spki-list,
 * --ip-address-space-overrides); `env`: the browser's environment (a HOME
 * whose ~/.pki/nssdb holds the certificates it trusts).
 */
export async function launchChromium(opts: { viewport?: { width: number; height: number }; args?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Browser> {
  const profile = await mkdtemp(path.join(tmpdir(), 'scanbridge-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...(opts.args ?? [])],
    ...(opts.env ? { env: opts.env } : {}),
    viewport: opts.viewport ?? { width: 1280, height: 860 },
    acceptDownloads: true,
  });
  // Not a speed limit: a hang guard. Tests wait for what they expect however slow the machine is,
  // but a condition that never comes true must fail the test (naming the locator) instead of
  // hanging the whole CI run.
  context.setDefaultTimeout(HANG_GUARD_MS);
  const pageErrors: Error[] = [];
  const watch = (p: Page) => p.on('pageerror', (err) => pageErrors.push(err));
  context.pages().forEach(watch);
  context.on('page', watch);
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    pageErrors,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Ask `probe` again and again until `ok` holds for its answer (the page's
 * state, or the service's), and answer it. No time limit of its own: the
 * test runner's hang guard ends a wait that never comes true.
 */
export async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
