/**
 * Origins the user approved, with the hashes of the tokens issued to them
 * (`approvals.json` in the service folder, readable only by the user). Origins
 * an administrator listed in AllowedOrigins count as approved without asking
 * and cannot be revoked by the user. Tokens themselves are never stored.
 */
import { promises as fs } from 'node:fs';
import { newToken, sameSecret, tokenHash } from './secrets.js';

export interface Approval {
  origin: string;
  approvedAt: string;
  by: 'user' | 'command-line' | 'administrator';
  /** Hashes of the tokens issued; the newest few stay valid (several tabs, several browsers). */
  tokens: string[];
  lastUsed: string | null;
}

const TOKENS_PER_ORIGIN = 8;

export class Approvals {
  private readonly byOrigin = new Map<string, Approval>();
  private writing: Promise<void> = Promise.resolve();

  private readonly administrator: Set<string>;
  /**
   * Entries saved for administered origins that the current policy has not
   * (yet) named: the service's own pages are named only once its ports are
   * known. What `settle` finds still here, the administrator no longer allows.
   */
  private readonly dormant = new Map<string, Approval>();

  private constructor(
    private readonly file: string,
    administrator: readonly string[],
  ) {
    this.administrator = new Set(administrator);
  }

  static async open(file: string, administrator: readonly string[]): Promise<Approvals> {
    const approvals = new Approvals(file, administrator);
    try {
      const list = JSON.parse(await fs.readFile(file, 'utf8')) as Approval[];
      for (const a of list) {
        if (typeof a.origin !== 'string' || !Array.isArray(a.tokens)) continue;
        (a.by === 'administrator' ? approvals.dormant : approvals.byOrigin).set(a.origin, a);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') await fs.rename(file, `${file}.corrupt-${Date.now()}`).catch(() => undefined);
    }
    approvals.administer(administrator);
    return approvals;
  }

  /** Origins approved by policy (AllowedOrigins, the service's own welcome pages): no consent, no revocation. */
  administer(origins: readonly string[]): void {
    for (const origin of origins) {
      this.administrator.add(origin);
      const existing = this.byOrigin.get(origin) ?? this.dormant.get(origin);
      this.dormant.delete(origin);
      this.byOrigin.set(origin, { origin, approvedAt: existing?.approvedAt ?? new Date().toISOString(), by: 'administrator', tokens: existing?.tokens ?? [], lastUsed: existing?.lastUsed ?? null });
    }
  }

  /**
   * Startup is over and every administered origin was named: forget the saved
   * ones no longer named (an origin taken out of AllowedOrigins), with their tokens.
   */
  async settle(): Promise<void> {
    if (this.dormant.size === 0) return;
    this.dormant.clear();
    await this.save();
  }

  isApproved(origin: string): boolean {
    return this.byOrigin.has(origin);
  }

  isAdministered(origin: string): boolean {
    return this.administrator.has(origin);
  }

  list(): Approval[] {
    return [...this.byOrigin.values()].map((a) => ({ ...a, tokens: [] }));
  }

  async approve(origin: string, by: Approval['by']): Promise<void> {
    if (!this.byOrigin.has(origin)) this.byOrigin.set(origin, { origin, approvedAt: new Date().toISOString(), by, tokens: [], lastUsed: null });
    await this.save();
  }

  /** Revoke an approval and every token issued to it; false when the origin is administered or unknown. */
  async revoke(origin: string): Promise<boolean> {
    if (this.isAdministered(origin) || !this.byOrigin.delete(origin)) return false;
    await this.save();
    return true;
  }

  /** A new token for an approved origin. */
  async issue(origin: string): Promise<string> {
    const approval = this.byOrigin.get(origin);
    if (!approval) throw new Error(`origin ${origin} is not approved`);
    const token = newToken();
    approval.tokens = [tokenHash(token), ...approval.tokens].slice(0, TOKENS_PER_ORIGIN);
    await this.save();
    return token;
  }

  /** The origin a token was issued to, or null. */
  verify(token: string): string | null {
    const hash = tokenHash(token);
    for (const approval of this.byOrigin.values()) {
      if (approval.tokens.some((t) => sameSecret(t, hash))) {
        approval.lastUsed = new Date().toISOString();
        return approval.origin;
      }
    }
    return null;
  }

  /** Token hashes of an origin (image URL signatures are keyed by them). */
  tokenHashes(origin: string): readonly string[] {
    return this.byOrigin.get(origin)?.tokens ?? [];
  }

  private save(): Promise<void> {
    const text = JSON.stringify([...this.byOrigin.values()].filter((a) => a.by !== 'administrator' || a.tokens.length), null, 2);
    this.writing = this.writing.then(async () => {
      await fs.writeFile(`${this.file}.tmp`, text, { mode: 0o600 });
      await fs.rename(`${this.file}.tmp`, this.file);
    });
    return this.writing;
  }
}
