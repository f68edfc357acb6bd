/**
 * Chromium's Local Network Access (Chromium 142 and later): a public page's
 * requests to loopback (fetch, WebSocket, images) need the user's permission,
 * asked by the browser at the first such request. Refused or not yet given,
 * the request fails exactly as if nothing listened, so "scanbridge is not
 * installed" must be told apart by asking the Permissions API.
 */

/** The permission's names, newest first: Chromium splits it into loopback-network and local-network. */
const NAMES = ['loopback-network', 'local-network-access'];

async function permissionState(): Promise<PermissionState | null> {
  if (typeof navigator === 'undefined' || !navigator.permissions?.query) return null;
  for (const name of NAMES) {
    try {
      return (await navigator.permissions.query({ name } as unknown as PermissionDescriptor)).state;
    } catch {
      // A browser without this permission name.
    }
  }
  return null;
}

/** The page itself is on this computer or the local network, where the browser does not ask. */
function pageIsLocal(): boolean {
  const host = typeof location === 'undefined' ? '' : location.hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host.endsWith('.local') ||
    host === '::1' ||
    /^(127|10)\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    /^f[cd][0-9a-f]{2}:/i.test(host)
  );
}

/**
 * After a request to the service failed: 'denied' when the user (or a
 * policy) blocked local network access for this page, 'prompt' when a public
 * page has not been allowed yet (the question was dismissed), null when the
 * permission is not what stopped it.
 */
export async function localNetworkAccessBlocked(): Promise<'denied' | 'prompt' | null> {
  const state = await permissionState();
  if (state === 'denied') return 'denied';
  if (state === 'prompt' && !pageIsLocal()) return 'prompt';
  return null;
}
