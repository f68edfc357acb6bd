/**
 * Where the browsers of a Linux user keep their NSS databases: Chromium and
 * Chrome share $HOME/.pki/nssdb (the snap of Chromium has its own), Firefox
 * keeps one in each profile (firefox-profiles.ts finds them).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { firefoxHoldsProfile, firefoxProfiles } from './firefox-profiles.js';
import { NssStore } from './nss-store.js';

export const FIREFOX_STORE = 'Firefox profile';

async function isDir(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/**
 * One store per Firefox profile. A profile Firefox has not started yet gets its database from us, so
 * its first start already trusts; one a Firefox is starting with right now gets it from Firefox.
 */
export async function firefoxStores(userHome: string, configHome: string, env: NodeJS.ProcessEnv): Promise<NssStore[]> {
  return (await firefoxProfiles(userHome, configHome)).map((p) => new NssStore(FIREFOX_STORE, p.dir, env, () => firefoxHoldsProfile(p.dir)));
}

export async function linuxBrowserStores(userHome: string, configHome: string, env: NodeJS.ProcessEnv): Promise<NssStore[]> {
  const stores = [new NssStore('Chromium/Chrome (NSS)', path.join(userHome, '.pki', 'nssdb'), env)];
  const snapChromium = path.join(userHome, 'snap', 'chromium', 'current');
  if (await isDir(snapChromium)) stores.push(new NssStore('Chromium snap (NSS)', path.join(snapChromium, '.pki', 'nssdb'), env));
  stores.push(...(await firefoxStores(userHome, configHome, env)));
  return stores;
}
