/**
 * The service folder's CA in this user's trust stores: trusted (the CA made
 * first when the folder has none), removed, or looked up. `scanbridge cert`,
 * `install` and `uninstall` call these; anything that must keep the
 * certificate trusted can too.
 */
import { servicePaths } from '../../config/paths.js';
import { loadOrCreateCertificate, readAuthority, type Authority } from '../certificate.js';
import { applyTrust, trustStores, type TrustEnv } from './stores.js';
import { trustAnchor, type StoreReport } from './trust-store.js';

export interface TrustOutcome {
  authority: Authority;
  stores: StoreReport[];
}

/** Trust the service folder's CA (made now if there is none yet). `system`: the machine-wide store too. */
export async function installTrust(home: string, te: TrustEnv, opts: { system: boolean }): Promise<TrustOutcome> {
  const { authority } = await loadOrCreateCertificate(servicePaths(home).cert);
  return { authority, stores: await applyTrust('install', await trustStores(te, opts), trustAnchor(authority)) };
}

/** Remove the service folder's CA from every store; null when the folder has no CA. */
export async function removeTrust(home: string, te: TrustEnv, opts = { system: true }): Promise<TrustOutcome | null> {
  const authority = await readAuthority(servicePaths(home).cert);
  if (!authority) return null;
  return { authority, stores: await applyTrust('remove', await trustStores(te, opts), trustAnchor(authority)) };
}

export async function trustStatus(home: string, te: TrustEnv, opts = { system: true }): Promise<TrustOutcome | null> {
  const authority = await readAuthority(servicePaths(home).cert);
  if (!authority) return null;
  return { authority, stores: await applyTrust('status', await trustStores(te, opts), trustAnchor(authority)) };
}
