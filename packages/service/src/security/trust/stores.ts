/**
 * The trust stores of this user on this platform, and one operation applied
 * to each of them. A store that fails (a missing tool, a locked database)
 * gives a report with the problem; the others still run.
 */
import os from 'node:os';
import path from 'node:path';
import { linuxBrowserStores } from './linux-browsers.js';
import { MacKeychainStore } from './macos-keychain.js';
import { SystemStore, detectSystemLayout, type SystemLayout } from './system-store.js';
import type { StoreReport, TrustAnchor, TrustStore } from './trust-store.js';
import { WindowsRootStore } from './windows-store.js';

export interface TrustEnv {
  platform: NodeJS.Platform;
  /** The user's home folder ($HOME): where Chromium and Firefox keep their stores. */
  userHome: string;
  /**
   * $XDG_CONFIG_HOME (when absolute, as the XDG spec asks) or $HOME/.config: where a current Firefox
   * keeps a new user's profiles. Its own field, never read from `env`, so a test's user stays its own.
   */
  configHome: string;
  /** Environment of the tools; its PATH finds them. */
  env: NodeJS.ProcessEnv;
  /** Running as root: may change the machine-wide store. */
  admin: boolean;
  /** The machine-wide store of Linux; null when the machine has none we know. */
  systemLayout: SystemLayout | null;
}

export function configHomeOf(userHome: string, env: NodeJS.ProcessEnv): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(userHome, '.config');
}

export function currentTrustEnv(): TrustEnv {
  // $HOME first: it is what the browsers themselves look at.
  const userHome = process.env['HOME'] || os.homedir();
  return {
    platform: process.platform,
    userHome,
    configHome: configHomeOf(userHome, process.env),
    env: process.env,
    admin: process.getuid?.() === 0,
    systemLayout: process.platform === 'linux' ? detectSystemLayout() : null,
  };
}

/** `system`: include the machine-wide store of Linux (macOS and Windows use the user's store only). */
export async function trustStores(te: TrustEnv, opts: { system: boolean }): Promise<TrustStore[]> {
  if (te.platform === 'darwin') return [new MacKeychainStore(te.userHome, te.env)];
  if (te.platform === 'win32') return [new WindowsRootStore(te.env)];
  const stores: TrustStore[] = await linuxBrowserStores(te.userHome, te.configHome, te.env);
  if (opts.system && te.systemLayout) stores.push(new SystemStore(te.systemLayout, te.admin, te.env));
  return stores;
}

export type TrustAction = 'install' | 'remove' | 'status';

export async function applyTrust(action: TrustAction, stores: TrustStore[], anchor: TrustAnchor): Promise<StoreReport[]> {
  const reports: StoreReport[] = [];
  // One after the other: the system store's refresh and NSS databases do not like concurrent writers.
  for (const store of stores) {
    try {
      reports.push(await store[action](anchor));
    } catch (err) {
      reports.push({ store: store.store, location: store.location, trusted: null, changed: false, problem: (err as Error).message });
    }
  }
  return reports;
}
