/**
 * Windows: the CA goes into the current user's Root store (`certutil -user
 * -addstore Root`, which asks the user to confirm). Edge and Chrome read it;
 * Firefox does when its security.enterprise_roots.enabled preference is on.
 * Windows' own certutil.exe is called by full path, since NSS ships a
 * different program of the same name. Untested here (no Windows in CI).
 */
import path from 'node:path';
import { runTool, runToolOk, type Tool } from './run-tool.js';
import type { StoreReport, TrustAnchor, TrustStore } from './trust-store.js';

export class WindowsRootStore implements TrustStore {
  readonly store = 'Windows user Root store';
  readonly location = 'Cert:\\CurrentUser\\Root';
  private readonly certutil: Tool;

  constructor(private readonly env: NodeJS.ProcessEnv) {
    this.certutil = { command: path.win32.join(env['SystemRoot'] ?? 'C:\\Windows', 'System32', 'certutil.exe'), install: 'it is part of Windows' };
  }

  private report(trusted: boolean, changed: boolean): StoreReport {
    return { store: this.store, location: this.location, trusted, changed };
  }

  /** certutil finds a certificate by its SHA-1 thumbprint and exits non-zero when there is none. */
  private async present(anchor: TrustAnchor): Promise<boolean> {
    return (await runTool(this.certutil, ['-user', '-store', 'Root', anchor.sha1], this.env)).code === 0;
  }

  async install(anchor: TrustAnchor): Promise<StoreReport> {
    if (await this.present(anchor)) return this.report(true, false);
    await runToolOk(this.certutil, ['-user', '-f', '-addstore', 'Root', anchor.file], this.env);
    return this.report(await this.present(anchor), true);
  }

  async remove(anchor: TrustAnchor): Promise<StoreReport> {
    if (!(await this.present(anchor))) return this.report(false, false);
    await runToolOk(this.certutil, ['-user', '-delstore', 'Root', anchor.sha1], this.env);
    return this.report(await this.present(anchor), true);
  }

  async status(anchor: TrustAnchor): Promise<StoreReport> {
    return this.report(await this.present(anchor), false);
  }
}
