/**
 * Announces the shared scanners on the local network the way eSCL clients
 * look for them (DNS-SD over mDNS): `_uscan._tcp`, or `_uscans._tcp` when
 * the server speaks TLS, with the TXT keys they read. Answers queries while
 * running, announces at start (twice, a second apart, RFC 6762 §8.3) and says
 * goodbye (TTL 0, §10.1) on close so clients drop the scanners at once.
 *
 * Not done: probing for a name already taken on the network (§8.1); the
 * instance names carry the host name, which keeps them apart in practice.
 */
import os from 'node:os';
import makeMdns from 'multicast-dns';
import type { Answer, Question } from 'dns-packet';

/** What the eSCL server tells about one shared scanner. */
export interface AdvertisedScanner {
  /** Instance name shown by clients (`Canon LiDE 400 on desk-7`); dots are replaced, DNS labels cannot hold them here. */
  name: string;
  port: number;
  /** The server at `port` speaks TLS: announced as `_uscans._tcp`. */
  tls: boolean;
  /** The scanner's eSCL root on the server, e.g. `/eSCL` (the TXT `rs` key, without the slash). */
  path: string;
  /** Stable across restarts (shared-scanner.ts's shareUuid). */
  uuid: string;
  /** MIME types served: image/jpeg, image/png, application/pdf. */
  formats: readonly string[];
  /** eSCL colour spaces: color, grayscale, binary. */
  colorSpaces: readonly string[];
  /** eSCL input sources: platen, adf, camera. */
  sources: readonly string[];
  duplex: boolean;
  /** Page for people about the scanner; defaults to the server's root. */
  adminUrl?: string;
  /** URL of a PNG icon of the scanner, when the server serves one. */
  iconUrl?: string;
  /** The TXT record as the eSCL server words it; when given, it is announced as it is. */
  txt?: Record<string, string>;
}

/** The eSCL server's `txtRecords()`, as scanners to announce on its port. */
export function advertisedScanners(records: readonly { path: string; secure: boolean; txt: Record<string, string> }[], port: number): AdvertisedScanner[] {
  const list = (v: string | undefined) => (v ? v.split(',') : []);
  return records.map((r) => ({
    name: r.txt['ty'] || 'scanbridge scanner',
    port,
    tls: r.secure,
    path: r.path,
    uuid: r.txt['uuid'] ?? '',
    formats: list(r.txt['pdl']),
    colorSpaces: list(r.txt['cs']),
    sources: list(r.txt['is']),
    duplex: r.txt['duplex'] === 'T',
    txt: r.txt,
  }));
}

export interface AdvertiserOptions {
  /** Record TTL in seconds for every record (tests); RFC 6762's 120 s (host, SRV) and 4500 s (others) otherwise. */
  ttl?: number;
  /** Tests: another mDNS port or one interface. */
  port?: number;
  interface?: string;
  /** The `.local` host name; the machine's name by default. */
  hostname?: string;
  onWarning?: (err: Error) => void;
}

const ESCL_VERSION = '2.63';
const SERVICE_ENUMERATION = '_services._dns-sd._udp.local';

/** A DNS label without the dots the encoder would split on, within 63 bytes. */
function label(text: string): string {
  let out = text.replace(/\./g, '-').trim() || 'scanner';
  while (Buffer.byteLength(out) > 63) out = out.slice(0, -1);
  return out;
}

/** The TXT record clients read (Mopria eSCL specification, "DNS-SD TXT record"). */
export function txtRecord(s: AdvertisedScanner, host: string): Record<string, string> {
  if (s.txt) return s.txt;
  const scheme = s.tls ? 'https' : 'http';
  const txt: Record<string, string> = {
    txtvers: '1',
    Vers: ESCL_VERSION,
    rs: s.path.replace(/^\/+|\/+$/g, ''),
    ty: s.name,
    pdl: s.formats.join(','),
    uuid: s.uuid,
    cs: s.colorSpaces.join(','),
    is: s.sources.join(','),
    duplex: s.duplex ? 'T' : 'F',
    adminurl: s.adminUrl ?? `${scheme}://${host}:${s.port}/`,
  };
  if (s.iconUrl) txt['representation'] = s.iconUrl;
  return txt;
}

/** Addresses of the machine's interfaces that leave it; the loopback ones only when there is nothing else. */
function addresses(iface?: string): { v4: string[]; v6: string[] } {
  const all = Object.values(os.networkInterfaces()).flatMap((list) => list ?? []);
  const pick = (internal: boolean) => all.filter((a) => a.internal === internal && (!iface || a.address === iface || a.family === 'IPv6'));
  const chosen = pick(false).length ? pick(false) : pick(true);
  return { v4: chosen.filter((a) => a.family === 'IPv4').map((a) => a.address), v6: chosen.filter((a) => a.family === 'IPv6').map((a) => a.address.replace(/%.*$/, '')) };
}

export class EsclAdvertiser {
  private readonly mdns: makeMdns.MulticastDNS;
  private readonly host: string;
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed: Promise<void> | null = null;

  constructor(
    private readonly scanners: readonly AdvertisedScanner[],
    private readonly opts: AdvertiserOptions = {},
  ) {
    this.host = `${label(opts.hostname ?? os.hostname().split('.')[0] ?? 'scanbridge')}.local`;
    this.mdns = makeMdns({ ...(opts.port ? { port: opts.port } : {}), ...(opts.interface ? { interface: opts.interface } : {}) });
    this.mdns.on('error', (err: Error) => opts.onWarning?.(err));
    this.mdns.on('warning', (err: Error) => opts.onWarning?.(err));
    this.mdns.on('query', (packet) => this.answer(packet.questions ?? []));
    this.mdns.on('ready', () => {
      this.announce();
      const again = setTimeout(() => this.announce(), 1000);
      this.timers.add(again);
    });
    // A new interface (a network change): tell the clients there.
    this.mdns.on('networkInterface', () => this.announce());
  }

  /** Every record, with the TTL given (0 for goodbye). */
  records(ttl?: number): Answer[] {
    const short = ttl ?? this.opts.ttl ?? 120;
    const long = ttl ?? this.opts.ttl ?? 4500;
    const { v4, v6 } = addresses(this.opts.interface);
    const out: Answer[] = [];
    const types = new Set<string>();
    for (const s of this.scanners) {
      const type = s.tls ? '_uscans._tcp.local' : '_uscan._tcp.local';
      const instance = `${label(s.name)}.${type}`;
      types.add(type);
      const txt = Object.entries(txtRecord(s, this.host)).map(([k, v]) => `${k}=${v}`);
      out.push(
        { name: type, type: 'PTR', ttl: long, data: instance },
        { name: instance, type: 'SRV', ttl: short, flush: true, data: { target: this.host, port: s.port, priority: 0, weight: 0 } },
        { name: instance, type: 'TXT', ttl: long, flush: true, data: txt },
      );
    }
    for (const type of types) out.push({ name: SERVICE_ENUMERATION, type: 'PTR', ttl: long, data: type });
    for (const a of v4) out.push({ name: this.host, type: 'A', ttl: short, flush: true, data: a });
    for (const a of v6) out.push({ name: this.host, type: 'AAAA', ttl: short, flush: true, data: a });
    return out;
  }

  /** Withdraw the scanners (goodbye) and close the socket. */
  close(): Promise<void> {
    return (this.closed ??= new Promise<void>((resolve) => {
      for (const t of this.timers) clearTimeout(t);
      this.mdns.respond({ answers: this.records(0) }, () => this.mdns.destroy(() => resolve()));
    }));
  }

  private announce(): void {
    if (this.closed) return;
    this.mdns.respond({ answers: this.records() });
  }

  /** Answers what was asked; for a PTR of our types, the SRV, TXT and addresses come along as additionals. */
  private answer(questions: readonly Question[]): void {
    if (this.closed || questions.length === 0) return;
    const all = this.records();
    const answers: Answer[] = [];
    for (const q of questions) {
      const name = q.name.toLowerCase();
      for (const r of all) if (r.name.toLowerCase() === name && ((q.type as string) === 'ANY' || q.type === r.type) && !answers.includes(r)) answers.push(r);
    }
    if (answers.length === 0) return;
    const instances = new Set(answers.filter((r) => r.type === 'PTR').map((r) => String((r as { data: unknown }).data).toLowerCase()));
    const needsHost = answers.some((r) => r.type === 'PTR' || r.type === 'SRV');
    const additionals = all.filter((r) => !answers.includes(r) && (instances.has(r.name.toLowerCase()) || (needsHost && (r.type === 'A' || r.type === 'AAAA'))));
    this.mdns.respond({ answers, additionals });
  }
}
