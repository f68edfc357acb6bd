/**
 * What an mDNS browser has heard: resource records with their time to live.
 * A record lives until its TTL runs out or its owner says goodbye (TTL 0,
 * RFC 6762 §10.1); past 80% of its life it is due to be asked for again
 * (§5.2, four times), so a scanner that is still there is never dropped for not
 * repeating itself.
 */
import type { Answer } from 'dns-packet';

export interface HeardRecord {
  readonly name: string;
  readonly type: 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';
  readonly data: unknown;
  readonly ttlMs: number;
  expiresAt: number;
  /** When to ask again: at 80, 85, 90 and 95% of its life (a lost answer is not the scanner gone). */
  refreshAt: number;
  /** When it was last heard (a refresh drops instances that stay silent after it). */
  heardAt: number;
}

const KEPT = new Set(['PTR', 'SRV', 'TXT', 'A', 'AAAA']);
/** A LAN has tens of scanners; a responder announcing thousands of records is not let fill the memory. */
export const MAX_RECORDS = 4096;

/** TXT strings as `key=value` (a key alone is a flag: empty value); the first of a repeated key wins (RFC 6763 §6.4). */
export function decodeTxt(data: unknown): Record<string, string> {
  const txt: Record<string, string> = {};
  const strings = Array.isArray(data) ? data : [data];
  for (const s of strings) {
    const text = Buffer.isBuffer(s) ? s.toString('utf8') : typeof s === 'string' ? s : '';
    if (!text) continue;
    const eq = text.indexOf('=');
    const key = eq < 0 ? text : text.slice(0, eq);
    if (key && !Object.keys(txt).some((k) => k.toLowerCase() === key.toLowerCase())) txt[key] = eq < 0 ? '' : text.slice(eq + 1);
  }
  return txt;
}

/** A TXT value by key, ignoring case as DNS-SD says keys are compared. */
export function txtValue(txt: Record<string, string>, key: string): string | undefined {
  const found = Object.keys(txt).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : txt[found];
}

const dataKey = (type: string, data: unknown): string =>
  type === 'SRV' ? JSON.stringify(data) : type === 'TXT' ? 'txt' : String(data).toLowerCase();

export class RecordCache {
  private readonly records = new Map<string, HeardRecord>();

  /** Takes a packet's records; answers whether anything was added, changed or removed. */
  take(answers: readonly Answer[], now: number): boolean {
    let changed = false;
    for (const rr of answers) {
      if (!KEPT.has(rr.type)) continue;
      const r = rr as { name: string; type: HeardRecord['type']; ttl?: number; data: unknown };
      const key = `${r.type}|${r.name.toLowerCase()}|${dataKey(r.type, r.data)}`;
      const ttl = r.ttl ?? 0;
      if (ttl === 0) {
        changed = this.records.delete(key) || changed;
        continue;
      }
      const before = this.records.get(key);
      if (!before && this.records.size >= MAX_RECORDS) continue;
      if (!before || (r.type === 'TXT' && JSON.stringify(decodeTxt(before.data)) !== JSON.stringify(decodeTxt(r.data)))) changed = true;
      this.records.set(key, { name: r.name, type: r.type, data: r.data, ttlMs: ttl * 1000, expiresAt: now + ttl * 1000, refreshAt: now + ttl * 800, heardAt: now });
    }
    return changed;
  }

  /** Drops expired records; answers whether any went. */
  expire(now: number): boolean {
    let changed = false;
    for (const [key, r] of this.records) {
      if (r.expiresAt <= now) {
        this.records.delete(key);
        changed = true;
      }
    }
    return changed;
  }

  /** Records due to be asked for again; each is then due 5% of its life later, until it expires. */
  dueForRefresh(now: number): HeardRecord[] {
    const due = [...this.records.values()].filter((r) => r.refreshAt <= now);
    for (const r of due) r.refreshAt += r.ttlMs * 0.05;
    return due;
  }

  /** Drops a service instance (its PTR, SRV and TXT) as if it had said goodbye; answers whether anything went. */
  forget(instance: string): boolean {
    const lower = instance.toLowerCase();
    let changed = false;
    for (const [key, r] of this.records) {
      const of = r.type === 'PTR' ? String(r.data).toLowerCase() : r.type === 'SRV' || r.type === 'TXT' ? r.name.toLowerCase() : null;
      if (of !== lower) continue;
      this.records.delete(key);
      changed = true;
    }
    return changed;
  }

  find(type: HeardRecord['type'], name: string): HeardRecord[] {
    const lower = name.toLowerCase();
    return [...this.records.values()].filter((r) => r.type === type && r.name.toLowerCase() === lower);
  }
}
