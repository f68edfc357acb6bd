/**
 * HTTP calls in the protocol's envelope, with every failure turned into a
 * ScanbridgeError: a network failure becomes `service-not-found` (nothing
 * listening), `origin-not-allowed` (a page origin the service does not
 * answer), `local-network-access-denied` (the browser's permission) or
 * `certificate-not-trusted` (an https:// page); an error envelope becomes its
 * own code.
 */
import { ScanbridgeError, TOKEN_HEADER, isErrorCode } from '@scanbridge/protocol/core';
import type { ResponseEnvelope, WireError } from '@scanbridge/protocol';
import { localNetworkAccessBlocked } from './local-network-access.js';

export type FetchLike = typeof fetch;

/** The end-user install page: the .deb (and other packages) and how to install them. */
export const DEFAULT_INSTALL_URL = 'https://github.com/scanbridge/scanbridge/blob/main/docs/install.md';

export interface Endpoint {
  /** e.g. http://127.0.0.1:18622 */
  base: string;
  fetch: FetchLike;
  installUrl: string;
  /** The token from RequestAccess (or the administrator token of a local script); null before access. */
  token: string | null;
  /** The service's HTTP address when `base` is its HTTPS one: probed to tell "not running" from "certificate not trusted". */
  plainBase?: string;
  /** Cancels every call through this endpoint (connect()'s signal while it connects). */
  signal?: AbortSignal;
}

/** Per-call options: `signal` cancels the call (it rejects with the signal's reason, as fetch does). */
export interface CallOptions {
  signal?: AbortSignal;
}

function signalOf(endpoint: Endpoint, options: CallOptions): AbortSignal | undefined {
  const signals = [endpoint.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
  if (signals.length < 2) return signals[0];
  return typeof AbortSignal.any === 'function' ? AbortSignal.any(signals) : signals[1];
}

/** A failed fetch as a ScanbridgeError, or the signal's reason when the caller cancelled it. */
async function failure(endpoint: Endpoint, url: string, err: unknown, signal: AbortSignal | undefined): Promise<unknown> {
  if (signal?.aborted) return signal.reason;
  return networkError(endpoint, url, err);
}

function tokenHeader(endpoint: Endpoint): Record<string, string> {
  return endpoint.token === null ? {} : { [TOKEN_HEADER]: endpoint.token };
}

/**
 * A browser hides why a cross-origin request failed. A second request in
 * `no-cors` mode tells the two cases apart: it resolves (opaque) when
 * something answered, so the service is there but did not allow this origin.
 */
async function answeredOpaquely(endpoint: Endpoint, url: string): Promise<boolean> {
  if (typeof document === 'undefined') return false;
  try {
    await endpoint.fetch(url, { mode: 'no-cors', cache: 'no-store' });
    return true;
  } catch {
    return false;
  }
}

export async function networkError(endpoint: Endpoint, url: string, err: unknown): Promise<ScanbridgeError> {
  const origin = typeof location === 'undefined' ? undefined : location.origin;
  const blocked = origin ? await localNetworkAccessBlocked() : null;
  if (blocked) {
    const what = blocked === 'denied' ? `its "Local network access" permission is blocked for ${origin}: allow it in the site's settings (the icon left of the address), then reload` : `allow "Local network access" for ${origin} when the browser asks`;
    return new ScanbridgeError(
      'local-network-access-denied',
      `this browser keeps the page from reaching scanbridge at ${endpoint.base} on this computer until the user allows it: ${what}`,
      { origin, base: endpoint.base, url, permission: blocked, installUrl: endpoint.installUrl },
      { cause: err },
    );
  }
  if (origin && (await answeredOpaquely(endpoint, `${endpoint.base}/fa/VersionInfo`))) {
    return new ScanbridgeError(
      'origin-not-allowed',
      `scanbridge at ${endpoint.base} does not answer pages from ${origin}; add it to AllowedOrigins in scanbridge.ini`,
      { origin, base: endpoint.base },
      { cause: err },
    );
  }
  // Nothing at all on the HTTPS port may still be a running service whose certificate the browser
  // refuses (it hides why). Browsers let an https:// page reach http://127.0.0.1 (loopback is
  // "potentially trustworthy", not mixed content), so an answer on the HTTP port tells the two apart.
  if (origin && endpoint.plainBase && endpoint.base.startsWith('https:') && (await answeredOpaquely(endpoint, `${endpoint.plainBase}/fa/VersionInfo`))) {
    return new ScanbridgeError(
      'certificate-not-trusted',
      `scanbridge runs (it answers at ${endpoint.plainBase}), but this browser does not trust the certificate of ${endpoint.base}, which pages served over https:// need: run \`scanbridge cert install\` (or install scanbridge again), then restart the browser`,
      { base: endpoint.base, url, installUrl: endpoint.installUrl },
      { cause: err },
    );
  }
  return new ScanbridgeError(
    'service-not-found',
    `scanbridge does not answer at ${endpoint.base} (${(err as Error)?.message ?? String(err)}); is it installed and running? See ${endpoint.installUrl}`,
    { base: endpoint.base, url, installUrl: endpoint.installUrl },
    { cause: err },
  );
}

function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && typeof (value as WireError).message === 'string' && 'code' in value;
}

/** Read an envelope answer; an error envelope is thrown as its ScanbridgeError. */
export async function readEnvelope(res: Response, url: string): Promise<ResponseEnvelope> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    throw new ScanbridgeError('internal-error', `${url} answered HTTP ${res.status} without a JSON envelope; is another program using this port?`, { url, status: res.status });
  }
  if (typeof body !== 'object' || body === null) throw new ScanbridgeError('internal-error', `${url} answered an unexpected body`, { url, status: res.status });
  const error = (body as { error?: unknown }).error;
  if (error !== undefined) {
    if (!isWireError(error)) throw new ScanbridgeError('internal-error', `${url} answered a malformed error`, { url, status: res.status });
    // Codes this SDK does not know yet (a newer service) keep their text; the code becomes internal-error.
    throw isErrorCode(error.code) ? ScanbridgeError.fromWire(error) : new ScanbridgeError('internal-error', `${String(error.code)}: ${error.message}`, { code: error.code });
  }
  if (!Array.isArray((body as { result?: unknown }).result)) throw new ScanbridgeError('internal-error', `${url} answered without a result`, { url, status: res.status });
  return body as ResponseEnvelope;
}

/** GET a safe /fa/ method. */
export async function getSafe(endpoint: Endpoint, method: string, options: CallOptions = {}): Promise<unknown[]> {
  const url = `${endpoint.base}/fa/${method}?ts=${Date.now()}`;
  const signal = signalOf(endpoint, options);
  let res: Response;
  try {
    res = await endpoint.fetch(url, { cache: 'no-store', headers: tokenHeader(endpoint), ...(signal ? { signal } : {}) });
  } catch (err) {
    throw await failure(endpoint, url, err, signal);
  }
  return ((await readEnvelope(res, url)) as { result: unknown[] }).result;
}

/** POST a call: /fa/<Method> without a session, /f/<Method> with one. */
export async function post(endpoint: Endpoint, method: string, session: string | null, params: unknown, cmdId: string, options: CallOptions = {}): Promise<unknown[]> {
  const url = `${endpoint.base}/${session === null ? 'fa' : 'f'}/${method}`;
  const signal = signalOf(endpoint, options);
  let res: Response;
  try {
    res = await endpoint.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...tokenHeader(endpoint) },
      body: JSON.stringify(session === null ? { params, cmdId } : { id: session, params, cmdId }),
      cache: 'no-store',
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    throw await failure(endpoint, url, err, signal);
  }
  return ((await readEnvelope(res, url)) as { result: unknown[] }).result;
}

/** A file the service takes as the HTTP body of a call (LoadImages, StartLoad). */
export type FileBody = Blob | ArrayBuffer | ArrayBufferView;

/**
 * POST a file as the request body, the envelope in the query: no base64 (a
 * third larger) and no JSON string of the whole file in the page's memory.
 */
export async function postFile(endpoint: Endpoint, method: string, session: string, params: unknown, file: FileBody, cmdId: string): Promise<unknown[]> {
  const query = `id=${encodeURIComponent(session)}&cmdId=${encodeURIComponent(cmdId)}&params=${encodeURIComponent(JSON.stringify(params))}`;
  const url = `${endpoint.base}/f/${method}?${query}`;
  let res: Response;
  try {
    res = await endpoint.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...tokenHeader(endpoint) },
      body: file as BodyInit,
      cache: 'no-store',
    });
  } catch (err) {
    throw await networkError(endpoint, url, err);
  }
  return ((await readEnvelope(res, url)) as { result: unknown[] }).result;
}
