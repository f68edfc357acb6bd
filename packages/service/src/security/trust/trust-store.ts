/**
 * What every trust store shares: the anchor to trust (the service folder's
 * local CA), the report a store gives after install, remove or status, and the
 * environment the stores act in (whose home folder, which platform, root or
 * not), passed in so tests act on a temporary user and never on the real one.
 */
import { X509Certificate } from 'node:crypto';
import type { Authority } from '../certificate.js';

export interface TrustAnchor {
  pem: string;
  /** The CA certificate file: the tools read it from there. */
  file: string;
  /** SHA-256 of the DER, lower-case hex without colons. */
  sha256: string;
  /** SHA-1 thumbprint, upper-case hex: how Windows and the macOS keychain name a certificate. */
  sha1: string;
  /**
   * The name it gets in NSS databases. It carries the fingerprint so that a
   * new CA does not collide with an old one and `remove` deletes exactly ours.
   */
  nickname: string;
}

export function trustAnchor(authority: Authority): TrustAnchor {
  const x509 = new X509Certificate(authority.cert);
  const sha256 = x509.fingerprint256.replaceAll(':', '').toLowerCase();
  return { pem: authority.cert, file: authority.file, sha256, sha1: x509.fingerprint.replaceAll(':', ''), nickname: `scanbridge local CA ${sha256}` };
}

export interface StoreReport {
  /** Which store, for people: "Chromium/Chrome (NSS)", "Firefox profile", "system store"... */
  store: string;
  location: string;
  /** Whether the anchor is trusted there after the operation; null when that could not be found out. */
  trusted: boolean | null;
  /** The operation added or removed something. */
  changed: boolean;
  /** The store needs an administrator for what was asked (the machine-wide store as a normal user). */
  needsAdmin?: boolean;
  /** What went wrong, with what to do about it. */
  problem?: string;
  /** A passing state (its browser is making the store right now): trying again shortly will do. */
  busy?: boolean;
}

export interface TrustStore {
  readonly store: string;
  readonly location: string;
  install(anchor: TrustAnchor): Promise<StoreReport>;
  remove(anchor: TrustAnchor): Promise<StoreReport>;
  status(anchor: TrustAnchor): Promise<StoreReport>;
}
