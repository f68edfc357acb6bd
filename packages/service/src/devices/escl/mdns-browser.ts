/**
 * Browses DNS-SD services of some types over mDNS and keeps the set of
 * resolved instances current: asks for the types, then for what an answer
 * left out (SRV, TXT, the host's A/AAAA), drops an instance on its goodbye or
 * when its records expire, and asks again before they do. `confirm` (a page
 * listing devices with refresh, or this machine's network changed) asks now
 * and drops what stays silent.
 */
import { EventEmitter } from 'node:events';
import { networkInterfaces } from 'node:os';
import makeMdns from 'multicast-dns';
import type { RecordType } from 'dns-packet';
import { RecordCache, decodeTxt, type HeardRecord } from './mdns-records.js';

export interface BrowsedService {
  /** Full instance name, e.g. `Office MFP._uscan._tcp.local`. */
  fqdn: string;
  /** The service type, e.g. `_uscan._tcp`. */
  type: string;
  /** The instance label (may hold dots and spaces). */
  name: string;
  host: string;
  port: number;
  txt: Record<string, string>;
  /** IPv4 then IPv6 addresses of the host, sorted. */
  addresses: string[];
}

export interface MdnsBrowserOptions {
  /** Service types without `.local`, e.g. ['_uscan._tcp', '_uscans._tcp']. */
  types: readonly string[];
  /** 5353 unless a test says otherwise. */
  port?: number;
  /** IPv4 address of one interface to use; every interface when absent. */
  interface?: string;
  onWarning?: (err: Error) => void;
}

export interface MdnsBrowserEvents {
  /** The resolved set differs from before. */
  change: [services: BrowsedService[]];
}

const TICK_MS = 1000;
/** The same question is not asked more often than this (RFC 6762 §5.2 asks for at least a second). */
const ASK_AGAIN_MS = 1000;
/** How long `confirm` waits for answers to each of its (at most two) queries; responders answer within 20-120 ms, and a second query is at least a second after the first. */
export const CONFIRM_WAIT_MS = 1100;
/** How often this machine's addresses are looked at: a change (another network, a cable out) is when scanners may have gone. */
const NETWORK_CHECK_MS = 5000;

/** This machine's external addresses, by interface. */
function networkSignature(): string {
  return Object.entries(networkInterfaces())
    .flatMap(([name, addresses]) => (addresses ?? []).filter((a) => !a.internal).map((a) => `${name} ${a.address}`))
    .sort()
    .join('\n');
}

export class MdnsBrowser extends EventEmitter<MdnsBrowserEvents> {
  private readonly mdns: makeMdns.MulticastDNS;
  private readonly cache = new RecordCache();
  private readonly asked = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private current = '[]';
  private closed = false;
  private confirming: Promise<void> | null = null;
  private network = networkSignature();
  private networkCheckedAt = Date.now();

  constructor(private readonly opts: MdnsBrowserOptions) {
    super();
    this.mdns = makeMdns({ ...(opts.port ? { port: opts.port } : {}), ...(opts.interface ? { interface: opts.interface } : {}) });
    this.mdns.on('response', (packet) => {
      const now = Date.now();
      if (this.cache.take([...packet.answers, ...(packet.additionals ?? [])], now)) this.settle();
    });
    // A socket error (no network, port refused) is a warning: discovery is best effort, listed scanners still work.
    this.mdns.on('error', (err: Error) => opts.onWarning?.(err));
    this.mdns.on('warning', (err: Error) => opts.onWarning?.(err));
    // multicast-dns joins interfaces that appear (a network change): ask again there.
    this.mdns.on('networkInterface', () => this.askTypes());
    this.mdns.on('ready', () => this.askTypes());
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  services(): BrowsedService[] {
    return JSON.parse(this.current) as BrowsedService[];
  }

  /** Ask for every type now (e.g. when a page lists devices with refresh). */
  askTypes(): void {
    for (const type of this.opts.types) this.ask(`${type}.local`, 'PTR', true);
  }

  /**
   * Ask for every type now, wait for the answers, and drop the instances that
   * did not answer: a scanner that left without a goodbye (switched off at the
   * plug, its network gone) would otherwise stay listed until its records
   * expire, minutes later. As RFC 6762 §10.5 (passive observation of failures)
   * asks, only after a second query also went unanswered, so one lost packet
   * does not drop a scanner. Bounded: two waits of `waitMs` at most; calls
   * that overlap share one look.
   */
  confirm(waitMs = CONFIRM_WAIT_MS): Promise<void> {
    this.confirming ??= this.confirmNow(waitMs).finally(() => {
      this.confirming = null;
    });
    return this.confirming;
  }

  private async confirmNow(waitMs: number): Promise<void> {
    const since = Date.now();
    const silent = () => this.opts.types.flatMap((type) => this.cache.find('PTR', `${type}.local`)).filter((ptr) => ptr.heardAt < since);
    for (let query = 0; query < 2; query++) {
      if (this.closed) return;
      this.askTypes();
      await new Promise((resolve) => setTimeout(resolve, waitMs));
      if (silent().length === 0) return;
    }
    let changed = false;
    for (const ptr of silent()) changed = this.cache.forget(String(ptr.data)) || changed;
    if (changed) this.settle();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.timer);
    return new Promise((resolve) => this.mdns.destroy(() => resolve()));
  }

  private tick(): void {
    const now = Date.now();
    if (now - this.networkCheckedAt >= NETWORK_CHECK_MS) {
      this.networkCheckedAt = now;
      const network = networkSignature();
      // Scanners of the network left behind do not say goodbye; the ones still reachable answer.
      if (network !== this.network) void this.confirm();
      this.network = network;
    }
    for (const r of this.cache.dueForRefresh(now)) this.ask(r.name, r.type);
    if (this.cache.expire(now)) this.settle();
  }

  private ask(name: string, type: RecordType, force = false): void {
    if (this.closed) return;
    const key = `${type}|${name.toLowerCase()}`;
    const now = Date.now();
    if (!force && now - (this.asked.get(key) ?? 0) < ASK_AGAIN_MS) return;
    this.asked.set(key, now);
    this.mdns.query([{ name, type }]);
  }

  /** Rebuild the resolved set, ask for what is missing, say when it changed. */
  private settle(): void {
    const services: BrowsedService[] = [];
    for (const type of this.opts.types) {
      const suffix = `.${type}.local`;
      for (const ptr of this.cache.find('PTR', `${type}.local`)) {
        const fqdn = String(ptr.data);
        if (!fqdn.toLowerCase().endsWith(suffix.toLowerCase())) continue;
        const srv = this.cache.find('SRV', fqdn)[0] as (HeardRecord & { data: { target: string; port: number } }) | undefined;
        const txt = this.cache.find('TXT', fqdn)[0];
        if (!srv) this.ask(fqdn, 'SRV');
        if (!txt) this.ask(fqdn, 'TXT');
        if (!srv || !txt) continue;
        const host = srv.data.target;
        const v4 = this.cache.find('A', host).map((r) => String(r.data)).sort();
        const v6 = this.cache.find('AAAA', host).map((r) => String(r.data)).sort();
        if (v4.length === 0 && v6.length === 0) {
          this.ask(host, 'A');
          this.ask(host, 'AAAA');
          continue;
        }
        services.push({ fqdn, type, name: fqdn.slice(0, -suffix.length), host, port: srv.data.port, txt: decodeTxt(txt.data), addresses: [...v4, ...v6] });
      }
    }
    services.sort((a, b) => a.fqdn.localeCompare(b.fqdn));
    const next = JSON.stringify(services);
    if (next === this.current) return;
    this.current = next;
    this.emit('change', services);
  }
}
