/**
 * Chromium's Local Network Access in browser tests: pages of the test are
 * served from 127.0.0.1, which Chromium counts as local; a switch makes it
 * count one page server as a public site (as a real application is), and the
 * permission is granted or denied as a user would in the browser's prompt.
 */
import type { BrowserContext } from 'playwright-core';

/** The switch that makes Chromium treat the page server at `origin` as public. */
export function publicOriginFlag(origin: string): string {
  const { hostname, port } = new URL(origin);
  return `--ip-address-space-overrides=${hostname}:${port}=public`;
}

/** The user answers the browser's question: allow, or block (every name the permission has had). */
export async function setLocalNetworkAccess(context: BrowserContext, origin: string, setting: 'granted' | 'denied'): Promise<void> {
  if (setting === 'granted') {
    await context.grantPermissions(['local-network-access'], { origin });
    return;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  for (const name of ['local-network-access', 'local-network', 'loopback-network']) {
    await cdp.send('Browser.setPermission', { permission: { name }, setting: 'denied', origin });
  }
  await cdp.detach();
}
