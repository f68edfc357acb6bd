/**
 * The machine-wide store of Linux (what curl, wget, Python and most programs
 * trust): a file in the local CA folder, then the distribution's refresh tool.
 * Only root may change it; a normal user is told it needs an administrator,
 * which is not a failure. Browsers on Linux do not read it, they read NSS.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { runToolOk, type Tool } from './run-tool.js';
import type { StoreReport, TrustAnchor, TrustStore } from './trust-store.js';

export interface SystemLayout {
  /** Where local CA files go. */
  dir: string;
  /** Rebuilds the store after a file was added. */
  refresh: string[];
  /** Rebuilds the store after a file was removed (Debian's tool keeps links to removed files unless asked). */
  refreshAfterRemove: string[];
}

export const DEBIAN_LAYOUT: SystemLayout = {
  dir: '/usr/local/share/ca-certificates',
  refresh: ['update-ca-certificates'],
  refreshAfterRemove: ['update-ca-certificates', '--fresh'],
};

export const FEDORA_LAYOUT: SystemLayout = {
  dir: '/etc/pki/ca-trust/source/anchors',
  refresh: ['update-ca-trust', 'extract'],
  refreshAfterRemove: ['update-ca-trust', 'extract'],
};

/** The layout of this machine (Debian/Ubuntu, Fedora/RHEL/Arch), or null when neither is there. */
export function detectSystemLayout(): SystemLayout | null {
  return [DEBIAN_LAYOUT, FEDORA_LAYOUT].find((l) => existsSync(l.dir)) ?? null;
}

function tool(argv: string[]): Tool {
  return { command: argv[0]!, install: 'install the ca-certificates package' };
}

export class SystemStore implements TrustStore {
  readonly store = 'system store';

  constructor(
    private readonly layout: SystemLayout,
    private readonly admin: boolean,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get location(): string {
    return this.layout.dir;
  }

  fileFor(anchor: TrustAnchor): string {
    return path.join(this.layout.dir, `scanbridge-${anchor.sha256}.crt`);
  }

  private async present(anchor: TrustAnchor): Promise<boolean> {
    return fs.access(this.fileFor(anchor)).then(
      () => true,
      () => false,
    );
  }

  private report(trusted: boolean, changed: boolean, needsAdmin = false): StoreReport {
    return { store: this.store, location: this.location, trusted, changed, ...(needsAdmin ? { needsAdmin } : {}) };
  }

  private async refresh(argv: string[]): Promise<void> {
    await runToolOk(tool(argv), argv.slice(1), this.env);
  }

  async install(anchor: TrustAnchor): Promise<StoreReport> {
    if (await this.present(anchor)) return this.report(true, false);
    if (!this.admin) return this.report(false, false, true);
    await fs.writeFile(this.fileFor(anchor), anchor.pem, { mode: 0o644 });
    await this.refresh(this.layout.refresh);
    return this.report(true, true);
  }

  async remove(anchor: TrustAnchor): Promise<StoreReport> {
    if (!(await this.present(anchor))) return this.report(false, false);
    if (!this.admin) return this.report(true, false, true);
    await fs.rm(this.fileFor(anchor));
    await this.refresh(this.layout.refreshAfterRemove);
    return this.report(false, true);
  }

  async status(anchor: TrustAnchor): Promise<StoreReport> {
    return this.report(await this.present(anchor), false);
  }
}
