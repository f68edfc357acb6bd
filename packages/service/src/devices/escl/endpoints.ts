/**
 * The contract between where eSCL scanners are found (mDNS browsing, the
 * administrator's `EsclScanners` list, `scanbridge devices add`) and the eSCL
 * driver that talks to them. Discovery only produces endpoints; the driver
 * only consumes them, so each side is tested on its own.
 */

/** One network scanner, as discovery knows it. */
export interface EsclEndpoint {
  /** Base URL of the scanner's eSCL root, without a trailing slash, e.g. `http://192.168.1.20:80/eSCL` (from the TXT `rs` key). */
  url: string;
  /** Name for people: the DNS-SD instance name, or the host for a listed URL. */
  name: string;
  /** The TXT `uuid` when advertised: the stable identity of the device across addresses. */
  uuid?: string;
  /** Where it came from; a listed scanner stays listed (offline) when it does not answer. */
  source: 'mdns' | 'config' | 'user';
  /** The TXT record as advertised (`ty`, `pdl`, `cs`, `is`, `duplex`...), empty for listed URLs. */
  txt: Record<string, string>;
}

/** What the driver asks of discovery. */
export interface EsclDirectory {
  /** Endpoints known now (found by mDNS and still announced, plus every listed one). */
  endpoints(): EsclEndpoint[];
  /** Called whenever the set changes (a scanner appeared, left, or was added by the user). Returns an unsubscribe function. */
  onChange(listener: () => void): () => void;
  /** Look at the network again now and wait (briefly) for what it says; listed scanners are not affected. */
  refresh?(): Promise<void>;
  close(): Promise<void>;
}
