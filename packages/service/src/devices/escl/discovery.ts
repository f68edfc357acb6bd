/**
 * The eSCL directory: network scanners found by mDNS (`_uscan._tcp`,
 * `_uscans._tcp`), listed by the administrator (`EsclScanners`) and added by
 * the user (`scanbridge devices add`). Browsing runs in the background once
 * `browse()` is called (the service does so as soon as it is ready: the mDNS
 * library is not loaded before), so listing devices never waits for the
 * network; a scanner that says goodbye or whose records expire leaves the
 * list, and listeners are told (the device manager turns that into the usual
 * `devices` event).
 */
import { isIP } from 'node:net';
import type { EsclDirectory, EsclEndpoint } from './endpoints.js';
import type { BrowsedService, MdnsBrowser } from './mdns-browser.js';
import { txtValue } from './mdns-records.js';
import { DEFAULT_ESCL_PATH } from './scanner-url.js';
import { UserScanners } from './user-scanners.js';

export const ESCL_SERVICE_TYPES = ['_uscan._tcp', '_uscans._tcp'] as const;

export interface EsclDirectoryOptions {
  /** EsclDiscovery: browse mDNS. */
  discovery: boolean;
  /** EsclScanners, already checked by the settings. */
  listed: readonly string[];
  /** Where `devices add` keeps the user's scanners (escl-scanners.json in the service folder). */
  userFile: string;
  /** Tests: another mDNS port or one interface. */
  mdns?: { port?: number; interface?: string };
  /** Where a socket problem is told (discovery is best effort). */
  warn?: (message: string, err: Error) => void;
}

/** The root path from the TXT `rs` key: `eSCL` → `/eSCL`; empty → the server root; absent → `/eSCL`. */
export function rootPath(rs: string | undefined): string {
  if (rs === undefined) return DEFAULT_ESCL_PATH;
  const trimmed = rs.trim().replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : '';
}

/**
 * The address to reach a host at: IPv4 first (what every LAN routes), then a
 * global IPv6; a link-local IPv6 needs the interface's zone, which a URL
 * cannot carry portably, so it is used only when there is nothing else.
 */
export function pickAddress(addresses: readonly string[]): string | undefined {
  const v4 = addresses.find((a) => isIP(a) === 4);
  if (v4) return v4;
  const v6 = addresses.filter((a) => isIP(a) === 6);
  return v6.find((a) => !/^fe[89ab]/i.test(a)) ?? undefined;
}

const normalUuid = (uuid: string | undefined): string | undefined => {
  const u = uuid?.trim().toLowerCase().replace(/^urn:uuid:/, '');
  return u || undefined;
};

/** One endpoint per scanner: when it announces both services (one uuid or one instance name), the https one. */
export function endpointsFromServices(services: readonly BrowsedService[]): EsclEndpoint[] {
  const byScanner = new Map<string, EsclEndpoint>();
  for (const s of services) {
    const address = pickAddress(s.addresses);
    if (!address) continue;
    const tls = s.type === '_uscans._tcp';
    const host = isIP(address) === 6 ? `[${address}]` : address;
    const uuid = normalUuid(txtValue(s.txt, 'uuid'));
    const endpoint: EsclEndpoint = {
      url: `${tls ? 'https' : 'http'}://${host}:${s.port}${rootPath(txtValue(s.txt, 'rs'))}`,
      name: s.name,
      ...(uuid ? { uuid } : {}),
      source: 'mdns',
      txt: s.txt,
    };
    const key = uuid ?? `name:${s.name.toLowerCase()}`;
    const before = byScanner.get(key);
    if (!before || (tls && before.url.startsWith('http:'))) byScanner.set(key, endpoint);
  }
  return [...byScanner.values()];
}

const listedEndpoint = (url: string, source: 'config' | 'user'): EsclEndpoint => ({ url, name: new URL(url).host, source, txt: {} });

export class EsclScannerDirectory implements EsclDirectory {
  private readonly listeners = new Set<() => void>();
  private current: EsclEndpoint[] = [];
  private browser: MdnsBrowser | null = null;
  private browsing: Promise<void> | null = null;
  private closed = false;

  private constructor(
    private readonly opts: EsclDirectoryOptions,
    private readonly user: UserScanners,
  ) {
    this.current = this.build();
  }

  static async open(opts: EsclDirectoryOptions): Promise<EsclScannerDirectory> {
    return new EsclScannerDirectory(opts, await UserScanners.open(opts.userFile));
  }

  /**
   * Starts browsing mDNS (when EsclDiscovery is on): the browser module is
   * imported now, answers come in the background. Once; a directory closed
   * meanwhile does not start.
   */
  browse(): Promise<void> {
    this.browsing ??= (async () => {
      if (!this.opts.discovery || this.closed) return;
      const { MdnsBrowser } = await import('./mdns-browser.js');
      if (this.closed) return;
      this.browser = new MdnsBrowser({ types: ESCL_SERVICE_TYPES, ...this.opts.mdns, onWarning: (err) => this.opts.warn?.('mDNS discovery of eSCL scanners', err) });
      this.browser.on('change', () => this.update());
    })();
    return this.browsing;
  }

  endpoints(): EsclEndpoint[] {
    return this.current;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Ask the network again now (a page listed devices with refresh): waits a
   * moment for answers, so that a scanner switched on since is listed and one
   * gone without a goodbye is not (bounded: about two seconds).
   */
  async refresh(): Promise<void> {
    await this.browser?.confirm();
    this.update();
  }

  /** Scanners listed by URL, with who listed them. */
  listed(): { url: string; source: 'config' | 'user' }[] {
    return [...this.opts.listed.map((url) => ({ url, source: 'config' as const })), ...this.user.list().filter((u) => !this.opts.listed.includes(u)).map((url) => ({ url, source: 'user' as const }))];
  }

  /** `devices add`: throws invalid-params naming what is wrong with the URL. */
  async addUserScanner(url: string): Promise<{ url: string; added: boolean }> {
    const result = await this.user.add(url);
    this.update();
    return result;
  }

  async removeUserScanner(url: string): Promise<boolean> {
    const removed = await this.user.remove(url);
    this.update();
    return removed;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.browsing?.catch(() => undefined);
    await this.browser?.close();
  }

  private build(): EsclEndpoint[] {
    const listed = this.listed().map((l) => listedEndpoint(l.url, l.source));
    const found = endpointsFromServices(this.browser?.services() ?? []).filter((e) => !listed.some((l) => l.url === e.url));
    return [...found, ...listed];
  }

  private update(): void {
    const next = this.build();
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = next;
    for (const listener of this.listeners) listener();
  }
}
