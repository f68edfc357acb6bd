/**
 * connect(): find the local service, get the page's token (asking the user
 * the first time), check that the service speaks this SDK's protocol, resume
 * this tab's session (or create one) and open the event socket. The HTTPS port is used when the page itself is served over HTTPS
 * (a browser blocks http:// calls from https:// pages), HTTP otherwise.
 */
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { SessionInfo } from '@scanbridge/protocol';
import { requestAccess, type AccessOptions } from './access.js';
import { ScanbridgeClient, rememberSession, type ReconnectOptions, type WebSocketClass } from './client.js';
import { checkCompatible, type ServiceInfo } from './compatibility.js';
import { versionCode } from './image-url.js';
import { signImages } from './image-signature.js';
import { isSetupProblem, showInstallDialog } from './install-dialog.js';
import { DEFAULT_INSTALL_URL, getSafe, post, type Endpoint, type FetchLike } from './transport.js';

export const DEFAULT_PORTS = { http: 18622, https: 18623 } as const;

export interface ConnectOptions extends AccessOptions {
  /** Host of the service (default 127.0.0.1). */
  host?: string;
  /** HTTP port (default 18622). */
  httpPort?: number;
  /** HTTPS port (default 18623). */
  httpsPort?: number;
  /** Use HTTPS; default: when the page is served over HTTPS. */
  secure?: boolean;
  /**
   * Resume this session id instead of the one remembered for this tab; a
   * session the service no longer has is replaced by a new one.
   */
  session?: string;
  /**
   * A token you already hold: the administrator token (cert/admin.token) for
   * a local script. Pages leave it out: connect() asks for access (the user
   * approves the page's origin once, on scanbridge's consent page).
   */
  token?: string;
  /** sessionStorage key that keeps the session across reloads; false: do not remember (default "scanbridge.session"). */
  storageKey?: string | false;
  /** Where people learn to install scanbridge; carried by `service-not-found` (details.installUrl). */
  installUrl?: string;
  /**
   * When nothing answers (or the browser does not trust the service's
   * certificate, or has not been allowed local network access), show a
   * ready-made dialog that says what to do (browser
   * only) and keeps looking for the service: connect() resolves as soon as
   * the service answers (the dialog closes by itself), or rejects with the
   * error when the user closes it.
   */
  installPrompt?: boolean;
  /** How often the install prompt looks for the service, in ms (default 2000). */
  installPollMs?: number;
  /** Give up on a silent service after this many ms (default 10000). */
  timeoutMs?: number;
  reconnect?: ReconnectOptions;
  /** WebSocket class (default: the global one; pass `ws`'s in Node 20). */
  WebSocket?: WebSocketClass;
  /** fetch implementation (default: the global one). */
  fetch?: FetchLike;
  /** Stop connecting (also while the consent or install prompt waits): connect() rejects with the signal's reason. */
  signal?: AbortSignal;
}

function pageIsSecure(): boolean {
  return typeof location !== 'undefined' && location.protocol === 'https:';
}

function checkPort(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new ScanbridgeError('invalid-params', `options.${name}: expected an integer 1..65535, got ${String(value)}`);
  return value;
}

export function serviceBase(options: Pick<ConnectOptions, 'host' | 'httpPort' | 'httpsPort' | 'secure'> = {}): string {
  const secure = options.secure ?? pageIsSecure();
  const host = options.host ?? '127.0.0.1';
  if (!/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)$/.test(host)) throw new ScanbridgeError('invalid-params', `options.host: expected a host name or address, got ${JSON.stringify(host)}`);
  const port = secure ? checkPort('httpsPort', options.httpsPort ?? DEFAULT_PORTS.https) : checkPort('httpPort', options.httpPort ?? DEFAULT_PORTS.http);
  return `${secure ? 'https' : 'http'}://${host}:${port}`;
}

/** Fetch with a time limit, so a port held by a silent program cannot hang connect(). */
function limitedFetch(fetchImpl: FetchLike, timeoutMs: number): FetchLike {
  return (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal && typeof AbortSignal.any === 'function' ? AbortSignal.any([init.signal, timeout]) : (init?.signal ?? timeout);
    return fetchImpl(input, { ...init, signal });
  };
}

async function findService(endpoint: Endpoint): Promise<{ service: ServiceInfo; code: string }> {
  const [[service], [versionInfo]] = (await Promise.all([getSafe(endpoint, 'ServiceInfo'), getSafe(endpoint, 'VersionInfo')])) as [[ServiceInfo], [string]];
  checkCompatible(service, endpoint.base);
  return { service, code: versionCode(versionInfo) };
}

async function openSession(endpoint: Endpoint, wanted: string | null): Promise<SessionInfo> {
  if (wanted) {
    try {
      return ((await post(endpoint, 'ResumeSession', wanted, {}, 'resume')) as [SessionInfo])[0];
    } catch (err) {
      if (!(err instanceof ScanbridgeError && err.code === 'unknown-session')) throw err;
    }
  }
  return ((await post(endpoint, 'CreateSession', null, {}, 'create')) as [SessionInfo])[0];
}

function rememberedSession(key: string | null): string | null {
  if (key === null || typeof sessionStorage === 'undefined') return null;
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

async function connectOnce(options: ConnectOptions): Promise<ScanbridgeClient> {
  const base = serviceBase(options);
  const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
  const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketClass }).WebSocket;
  if (!fetchImpl) throw new ScanbridgeError('invalid-params', 'options.fetch: this environment has no fetch; pass one');
  if (!WebSocketImpl) throw new ScanbridgeError('invalid-params', 'options.WebSocket: this environment has no WebSocket; pass one (e.g. the ws package in Node 20)');
  const endpoint: Endpoint = { base, fetch: limitedFetch(fetchImpl, options.timeoutMs ?? 10_000), installUrl: options.installUrl ?? DEFAULT_INSTALL_URL, token: options.token ?? null };
  if (base.startsWith('https:')) endpoint.plainBase = serviceBase({ ...options, secure: false });
  if (options.signal) endpoint.signal = options.signal;
  options.signal?.throwIfAborted();
  // The consent prompt may wait for the user as long as it takes: no time limit on those calls.
  if (endpoint.token === null) endpoint.token = await requestAccess({ ...endpoint, fetch: fetchImpl }, options);
  const { service, code } = await findService(endpoint);
  const storageKey = options.storageKey === false ? null : `${options.storageKey ?? 'scanbridge.session'}@${base}`;
  const session = await openSession(endpoint, options.session ?? rememberedSession(storageKey));
  rememberSession(storageKey, session.id);
  // The client's own calls are not cancelled by connect()'s signal.
  const { signal: _connecting, ...lasting } = endpoint;
  const client = new ScanbridgeClient({
    endpoint: { ...lasting, fetch: fetchImpl },
    service,
    versionCode: code,
    session,
    signature: await signImages(endpoint.token, session.id),
    access: options.token === undefined ? options : null,
    WebSocket: WebSocketImpl,
    storageKey,
    reconnect: { initialDelayMs: options.reconnect?.initialDelayMs ?? 250, maxDelayMs: options.reconnect?.maxDelayMs ?? 5000 },
  });
  await client.open();
  if (options.signal?.aborted) {
    client.disconnect();
    throw options.signal.reason;
  }
  return client;
}

/**
 * Connect to the scanbridge service on this computer. Rejects with a
 * ScanbridgeError: `service-not-found` (details.installUrl),
 * `certificate-not-trusted` (an https:// page, a running service whose
 * certificate this browser does not trust), `local-network-access-denied`
 * (a public page the user has not allowed to reach this computer), `version-mismatch`
 * (details name both versions), `origin-not-allowed` (the user did not allow
 * this page).
 */
export async function connect(options: ConnectOptions = {}): Promise<ScanbridgeClient> {
  try {
    return await connectOnce(options);
  } catch (err) {
    if (!(options.installPrompt && err instanceof ScanbridgeError && isSetupProblem(err) && typeof document !== 'undefined')) throw err;
    return showInstallDialog(err, () => connectOnce(options), { installUrl: options.installUrl ?? DEFAULT_INSTALL_URL, ...(options.installPollMs === undefined ? {} : { pollMs: options.installPollMs }), ...(options.signal ? { signal: options.signal } : {}) });
  }
}
