/**
 * An NSS certificate database (cert9.db), changed with NSS's certutil:
 * Chromium and Chrome on Linux read $HOME/.pki/nssdb, and every Firefox
 * profile has its own. The CA is added as a trusted TLS issuer ("C,,").
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NSS_CERTUTIL, runToolOk } from './run-tool.js';
import type { StoreReport, TrustAnchor, TrustStore } from './trust-store.js';

/** A line of `certutil -L`: the nickname (may hold spaces), then the trust flags "SSL,S/MIME,JAR". */
const LISTING_LINE = /^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)\s*$/;

export function parseListing(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = LISTING_LINE.exec(line);
    if (m && m[1] !== 'SSL,S/MIME,JAR/XPI') entries.set(m[1]!, m[2]!);
  }
  return entries;
}

export class NssStore implements TrustStore {
  /**
   * `ownerStarting`: whether the browser is making the database itself right now (a Firefox starting
   * with a new profile); then install waits for it rather than make one alongside.
   */
  constructor(
    readonly store: string,
    readonly location: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly ownerStarting: () => Promise<boolean> = async () => false,
  ) {}

  private get db(): string {
    return `sql:${this.location}`;
  }

  private report(trusted: boolean | null, changed: boolean, problem?: string): StoreReport {
    return { store: this.store, location: this.location, trusted, changed, ...(problem ? { problem } : {}) };
  }

  private async exists(): Promise<boolean> {
    return fs.access(path.join(this.location, 'cert9.db')).then(
      () => true,
      () => false,
    );
  }

  /** Our entry's SSL trust flags, or null when the database does not hold it. */
  private async trustOf(anchor: TrustAnchor): Promise<string | null> {
    const listing = await runToolOk(NSS_CERTUTIL, ['-L', '-d', this.db], this.env);
    return parseListing(listing.stdout).get(anchor.nickname)?.split(',')[0] ?? null;
  }

  async install(anchor: TrustAnchor): Promise<StoreReport> {
    // Chromium makes its database only when it first needs it, and Firefox at a profile's first start:
    // made here as they would make it, so that first start already trusts.
    if (!(await this.exists())) {
      if (await this.ownerStarting()) {
        return { ...this.report(false, false, 'the browser is starting with it and makes its database now: run this again once it has started'), busy: true };
      }
      await fs.mkdir(this.location, { recursive: true, mode: 0o700 });
      await runToolOk(NSS_CERTUTIL, ['-N', '--empty-password', '-d', this.db], this.env);
    }
    const before = await this.trustOf(anchor);
    if (before?.includes('C')) return this.report(true, false);
    await runToolOk(NSS_CERTUTIL, ['-A', '-d', this.db, '-n', anchor.nickname, '-t', 'C,,', '-i', anchor.file], this.env);
    const after = await this.trustOf(anchor);
    return after?.includes('C') ? this.report(true, true) : this.report(false, true, `certutil added ${anchor.nickname} but the database does not list it as trusted`);
  }

  async remove(anchor: TrustAnchor): Promise<StoreReport> {
    if (!(await this.exists())) return this.report(false, false);
    if ((await this.trustOf(anchor)) === null) return this.report(false, false);
    await runToolOk(NSS_CERTUTIL, ['-D', '-d', this.db, '-n', anchor.nickname], this.env);
    return this.report((await this.trustOf(anchor)) !== null, true);
  }

  async status(anchor: TrustAnchor): Promise<StoreReport> {
    if (!(await this.exists())) return this.report(false, false);
    return this.report((await this.trustOf(anchor))?.includes('C') ?? false, false);
  }
}

