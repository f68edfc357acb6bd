/**
 * Where the browsers of a Linux user keep their NSS databases: Chromium and
 * Chrome share $HOME/.pki/nssdb (the snap of Chromium has its own), Firefox
 * keeps one per profile, in its home folder, its snap's or its flatpak's.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NssStore } from './nss-store.js';

const FIREFOX_ROOTS = [
  ['.mozilla', 'firefox'],
  ['snap', 'firefox', 'common', '.mozilla', 'firefox'],
  ['.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox'],
];

async function isDir(dir: string): Promise<boolean> {
  return fs.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** Profile folders that hold a cert9.db, under every Firefox root that exists. */
export async function firefoxProfiles(userHome: string): Promise<string[]> {
  const profiles: string[] = [];
  for (const parts of FIREFOX_ROOTS) {
    const root = path.join(userHome, ...parts);
    const entries = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const dir = path.join(root, entry.name);
      if (entry.isDirectory() && (await fs.access(path.join(dir, 'cert9.db')).then(() => true, () => false))) profiles.push(dir);
    }
  }
  return profiles;
}

export async function linuxBrowserStores(userHome: string, env: NodeJS.ProcessEnv): Promise<NssStore[]> {
  const stores = [new NssStore('Chromium/Chrome (NSS)', path.join(userHome, '.pki', 'nssdb'), env)];
  const snapChromium = path.join(userHome, 'snap', 'chromium', 'current');
  if (await isDir(snapChromium)) stores.push(new NssStore('Chromium snap (NSS)', path.join(snapChromium, '.pki', 'nssdb'), env));
  for (const profile of await firefoxProfiles(userHome)) stores.push(new NssStore('Firefox profile', profile, env));
  return stores;
}
