/**
 * macOS: the CA goes into the user's login keychain with a user trust setting
 * for TLS (`security add-trusted-cert`, which asks for the login password).
 * Safari and Chrome read it; Firefox does when its
 * security.enterprise_roots.enabled preference is on. Untested here (no macOS
 * in CI); the commands are Apple's documented ones.
 */
import path from 'node:path';
import { runTool, runToolOk, type Tool } from './run-tool.js';
import type { StoreReport, TrustAnchor, TrustStore } from './trust-store.js';

const SECURITY: Tool = { command: '/usr/bin/security', install: 'it is part of macOS' };

export class MacKeychainStore implements TrustStore {
  readonly store = 'macOS login keychain';
  readonly location: string;

  constructor(
    userHome: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.location = path.join(userHome, 'Library', 'Keychains', 'login.keychain-db');
  }

  private report(trusted: boolean, changed: boolean): StoreReport {
    return { store: this.store, location: this.location, trusted, changed };
  }

  private async present(anchor: TrustAnchor): Promise<boolean> {
    // -Z prints each certificate's hashes; ours is found by its SHA-256, not by a name anyone could reuse.
    const found = await runTool(SECURITY, ['find-certificate', '-a', '-Z', this.location], this.env);
    return found.stdout.toLowerCase().includes(`sha-256 hash: ${anchor.sha256}`);
  }

  async install(anchor: TrustAnchor): Promise<StoreReport> {
    if (await this.present(anchor)) return this.report(true, false);
    await runToolOk(SECURITY, ['add-trusted-cert', '-r', 'trustRoot', '-p', 'ssl', '-k', this.location, anchor.file], this.env);
    return this.report(await this.present(anchor), true);
  }

  async remove(anchor: TrustAnchor): Promise<StoreReport> {
    if (!(await this.present(anchor))) return this.report(false, false);
    // The trust setting first (it outlives the certificate otherwise), then the certificate, by its SHA-1.
    await runTool(SECURITY, ['remove-trusted-cert', anchor.file], this.env);
    await runToolOk(SECURITY, ['delete-certificate', '-Z', anchor.sha1, this.location], this.env);
    return this.report(await this.present(anchor), true);
  }

  async status(anchor: TrustAnchor): Promise<StoreReport> {
    return this.report(await this.present(anchor), false);
  }
}
