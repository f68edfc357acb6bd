/**
 * A connected client: one session (one image buffer) on the local scanbridge
 * service. Calls go over HTTP in the protocol's envelope; events arrive on a
 * WebSocket that is reopened with backoff when the service restarts, after
 * which the session is resumed (the service recovers buffers from its
 * journal) and listeners get `connection: connected, resumed: true`.
 */
import { EVENT_TABLE, METHOD_TABLE, ScanbridgeError, lightCheck, passes } from '@scanbridge/protocol/core';
import type { BufferEvent, EventData, JobEvent, UploadEvent, JobInfo, MethodName, PageInfo, ParamsOf, ResultOf, SessionInfo } from '@scanbridge/protocol';
import { Emitter } from './emitter.js';
import { imageUrl } from './image-url.js';
import type { BrowserCamera } from './browser-camera.js';
import { requestAccess, type AccessOptions } from './access.js';
import { signImages, stale, type ImageSignature } from './image-signature.js';
import { defineWrappers, type MethodWrappers } from './method-wrappers.js';
import { ScanJob } from './scan-job.js';
import { UploadJob } from './upload-job.js';
import { resolveDestination, uploadFromPage, type UploadParams } from './page-upload.js';
import { getSafe, post, postFile, type CallOptions, type Endpoint, type FileBody } from './transport.js';
import { checkCompatible, type ServiceInfo } from './compatibility.js';

export type ConnectionState = 'connected' | 'reconnecting' | 'closed';

export interface ConnectionChange {
  state: ConnectionState;
  /** true when the socket came back after a loss and the session was resumed. */
  resumed?: boolean;
  /** Reconnect attempts so far (while reconnecting). */
  attempt?: number;
  /** Why the last attempt failed, or why the client gave up. */
  error?: ScanbridgeError;
}

export interface SessionChange {
  /** The session that no longer exists on the service (expired or closed). */
  previous: string;
  /** The new, empty session the client now uses. */
  session: SessionInfo;
}

/** A file made by SaveImages, ready to download or upload. */
export interface SavedBlob {
  /** The file name the service chose (e.g. scan-2025-01-31.pdf). */
  name: string;
  pages: number;
  blob: Blob;
}

export type SaveOptions = Omit<ParamsOf<'SaveImages'>, 'binary' | 'folder' | 'overwrite'>;

function blobOf(base64: string, type: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}

export interface ClientEvents {
  /** The buffer changed: pages added, removed, modified or moved. */
  buffer: BufferEvent;
  /** A job of this session (a scan, or a load) started, acquired a page, progressed or ended. */
  job: JobEvent;
  /** An upload of this session started, progressed or ended. */
  upload: UploadEvent;
  /** The list of devices changed. */
  devices: EventData<'devices'>;
  /** recognize() or detectOrientation() finished a page (`done` of `total`). */
  ocr: EventData<'ocr'>;
  connection: ConnectionChange;
  /** The service had lost the session: the client continues on a new one. */
  session: SessionChange;
}

/** The browser's WebSocket, or a compatible class (the `ws` package in Node). */
export type WebSocketClass = new (url: string) => WebSocket;

export interface ReconnectOptions {
  /** First delay before reconnecting, in ms (default 250). */
  initialDelayMs?: number;
  /** Largest delay between attempts, in ms (default 5000). */
  maxDelayMs?: number;
}

/** @internal What connect() hands to the client. */
export interface ClientInit {
  endpoint: Endpoint;
  service: ServiceInfo;
  versionCode: string;
  session: SessionInfo;
  /** Signature of the session's image URLs. */
  signature: ImageSignature;
  /** How to ask for a new token when the service refuses the current one; null when the caller supplied the token. */
  access: AccessOptions | null;
  WebSocket: WebSocketClass;
  /** sessionStorage key that remembers the session across reloads, or null. */
  storageKey: string | null;
  reconnect: Required<ReconnectOptions>;
}

const RECENT_JOB_EVENTS = 256;

/** Cancel a running job when `signal` aborts (at once when it already has). */
function cancelOnAbort<J extends { ended: boolean; cancel(): Promise<unknown> }>(signal: AbortSignal | undefined, job: J): J {
  if (!signal) return job;
  const cancel = () => {
    if (!job.ended) void job.cancel().catch(() => undefined);
  };
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  return job;
}

export function rememberSession(key: string | null, id: string | null): void {
  if (key === null || typeof sessionStorage === 'undefined') return;
  try {
    if (id === null) sessionStorage.removeItem(key);
    else sessionStorage.setItem(key, id);
  } catch {
    // Storage can be disabled (private mode, sandboxed frames): the session just does not survive a reload.
  }
}

export interface ScanbridgeClient extends MethodWrappers {}

export class ScanbridgeClient extends Emitter<ClientEvents> {
  readonly #init: ClientInit;
  #service: ServiceInfo;
  #session: SessionInfo;
  #signature: ImageSignature;
  #signing: Promise<void> | null = null;
  #state: ConnectionState = 'reconnecting';
  #socket: WebSocket | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #cmd = 0;
  readonly #jobs = new Map<string, ScanJob>();
  readonly #uploads = new Map<string, UploadJob>();
  /** The consent question in progress, shared by every call that needs its answer. */
  #asking: Promise<void> | null = null;
  /** Job events that arrived before StartScan's answer named their job. */
  readonly #recentJobEvents: JobEvent[] = [];

  /** @internal Use connect(). */
  constructor(init: ClientInit) {
    super();
    this.#init = init;
    this.#service = init.service;
    this.#session = init.session;
    this.#signature = init.signature;
  }

  /** Where the service answers, e.g. http://127.0.0.1:18622. */
  get base(): string {
    return this.#init.endpoint.base;
  }

  /** The service as it described itself when (re)connected. */
  get service(): ServiceInfo {
    return this.#service;
  }

  get session(): SessionInfo {
    return this.#session;
  }

  get sessionId(): string {
    return this.#session.id;
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Call any protocol method by its wire name. The shape of params (types,
   * ranges, allowed values, unknown keys) is checked before anything is sent,
   * with the service's messages (an error names the argument); the service
   * checks the rest. Every failure is a ScanbridgeError.
   */
  async call<M extends MethodName>(method: M, params?: ParamsOf<M>, options: CallOptions = {}): Promise<ResultOf<M>> {
    if (!Object.hasOwn(METHOD_TABLE, method)) throw new ScanbridgeError('unknown-method', `unknown method "${String(method)}"`);
    const spec = METHOD_TABLE[method];
    const checked = params ?? {};
    lightCheck(spec.params, checked, 'params');
    if (this.#state === 'closed') throw new ScanbridgeError('session-required', 'this client was closed; connect() again');
    options.signal?.throwIfAborted();
    const result = await this.#withAccess(() => post(this.#init.endpoint, method, spec.session ? this.#session.id : null, checked, `c${++this.#cmd}`, options));
    return result as ResultOf<M>;
  }

  /**
   * The URL of a page's image fitted into width x height (device pixels).
   * Pass the PageInfo so the URL changes when the page is edited.
   */
  imageUrl(page: PageInfo | number | string, width: number, height: number): string {
    const ref = typeof page === 'object' ? page.id : page;
    // Renewed in the background; the current signature stays valid meanwhile.
    if (stale(this.#signature)) void this.#sign().catch(() => undefined);
    return imageUrl({
      exp: this.#signature.exp,
      sig: this.#signature.sig,
      base: this.base,
      versionCode: this.#init.versionCode,
      session: this.#session.id,
      page: ref,
      width,
      height,
      ticks: typeof page === 'object' ? page.version : 0,
    });
  }

  /**
   * The live picture of a service-side camera (`camera:` ids from
   * listDevices) for an <img>: MJPEG, signed and expiring like image URLs.
   * The service stops the camera's preview when no <img> shows it any more.
   */
  previewUrl(deviceId: string): string {
    if (stale(this.#signature)) void this.#sign().catch(() => undefined);
    const q = new URLSearchParams({ id: this.#session.id, device: deviceId, exp: String(this.#signature.exp), sig: this.#signature.sig });
    return `${this.base}/camera/preview?${q.toString()}`;
  }

  /**
   * Take a photo with a camera of the browser's machine (BrowserCamera.open)
   * and load it into the buffer: a job with the same events as a scan.
   */
  async captureBrowserCamera(camera: BrowserCamera, params: Omit<ParamsOf<'StartLoad'>, 'data'> = {}, options: CallOptions = {}): Promise<ScanJob> {
    const photo = await camera.takePhoto();
    return this.load(photo, { tags: ['camera'], ...params }, options);
  }

  /**
   * Start a scan; the job reports pages as they arrive in this session's
   * buffer. Aborting `signal` cancels the job (pages acquired before stay).
   */
  async scan(params: ParamsOf<'StartScan'>, options: CallOptions = {}): Promise<ScanJob> {
    const [info] = await this.call('StartScan', params, options);
    const job = this.#track(info);
    cancelOnAbort(options.signal, job);
    return job;
  }

  /**
   * Load a file (PDF, TIFF, JPEG, PNG, BMP or WebP; a File from an <input>, a
   * Blob, an ArrayBuffer or bytes) into the buffer as a job. The file travels
   * as the request body; the job reports `progress` (pages decoded of
   * `total`) and its pages arrive together when it ends (`pages()`, `done`),
   * or none do when a page is damaged (`done` rejects with invalid-image).
   * `job.cancel()` stops it and adds nothing. For a small image,
   * `loadImages({ data })` (base64) answers the pages directly. Aborting
   * `signal` cancels the job.
   */
  async load(file: FileBody, params: Omit<ParamsOf<'StartLoad'>, 'data'> = {}, options: CallOptions = {}): Promise<ScanJob> {
    const checked = params;
    lightCheck(METHOD_TABLE.StartLoad.params, checked, 'params');
    if (this.#state === 'closed') throw new ScanbridgeError('session-required', 'this client was closed; connect() again');
    const [info] = (await this.#withAccess(() => postFile(this.#init.endpoint, 'StartLoad', this.#session.id, checked, file, `c${++this.#cmd}`))) as ResultOf<'StartLoad'>;
    const job = this.#track(info);
    cancelOnAbort(options.signal, job);
    return job;
  }

  /**
   * Save pages (default: all, in buffer order) as PDF, TIFF, JPEG, PNG or BMP.
   * Multi-page formats make one file; JPEG, PNG and BMP one file per page.
   */
  async save(options: SaveOptions, call: CallOptions = {}): Promise<SavedBlob[]> {
    const [result] = await this.call('SaveImages', options, call);
    return result.files.map((file) => ({ name: file.name, pages: file.pages, blob: blobOf(file.data ?? '', result.mimeType) }));
  }

  /**
   * Upload pages (default: all, in buffer order), encoded as `format`, from
   * the service to the application's server: a multipart POST, a PUT (e.g. a
   * presigned URL) or a resumable tus upload. The service sends the file
   * itself, so the page never holds it; the job reports progress and its
   * `done` answers the server's response. A relative URL ('/upload') is the
   * page's own server, as with fetch; `credentials: 'include'` sends the
   * page's cookies with it (own origin only; the page sends the file then).
   */
  async upload(params: UploadParams, options: CallOptions = {}): Promise<UploadJob> {
    const { credentials, ...rest } = params;
    const resolved = { ...rest, destination: resolveDestination(rest.destination) };
    if (credentials === 'include') return cancelOnAbort(options.signal, uploadFromPage(resolved, (encoding) => this.save(encoding, options)));
    const [info] = await this.call('StartUpload', resolved, options);
    const isClosed = () => this.#state === 'closed';
    const job = new UploadJob(info, {
      waitUpload: async (id) => (await this.call('WaitUpload', { upload: id }))[0],
      cancelUpload: async (id) => (await this.call('CancelUpload', { upload: id }))[0],
      get closed() {
        return isClosed();
      },
    });
    this.#uploads.set(info.id, job);
    // Not on('end'): the application's first 'end' listener gets the held event.
    const forget = () => this.#uploads.delete(info.id);
    job.done.then(forget, forget);
    return cancelOnAbort(options.signal, job);
  }

  /** Follow a job started elsewhere (another tab's call, or before a reload). */
  job(info: JobInfo): ScanJob {
    return this.#jobs.get(info.id) ?? this.#track(info);
  }

  /**
   * Close the session on the service (its pages are deleted) and stop: the
   * event socket closes, reconnecting stops, and later calls fail with
   * session-required. Call it when the page (or component) that scanned goes
   * away for good; disconnect() instead keeps the pages for a reload.
   */
  async close(): Promise<void> {
    try {
      if (this.#state !== 'closed') await this.call('CloseSession');
    } finally {
      rememberSession(this.#init.storageKey, null);
      this.disconnect();
    }
  }

  /** Stop listening and reconnecting; the session stays on the service and can be resumed. */
  disconnect(): void {
    if (this.#state === 'closed') return;
    this.#setState({ state: 'closed' });
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'client disconnect');
  }

  /** @internal Open the event socket; resolves once it is open. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = this.#openSocket(false);
      let opened = false;
      socket.addEventListener(
        'open',
        () => {
          opened = true;
          resolve();
        },
        { once: true },
      );
      socket.addEventListener(
        'close',
        () => {
          if (opened) return;
          this.disconnect();
          reject(new ScanbridgeError('service-not-found', `the event socket of ${this.base} did not open`, { base: this.base }));
        },
        { once: true },
      );
    });
  }

  #openSocket(resumed: boolean): WebSocket {
    // Browsers cannot put headers on a WebSocket: the token goes in the query.
    const url = `${this.base.replace(/^http/, 'ws')}/ws?id=${encodeURIComponent(this.#session.id)}&token=${encodeURIComponent(this.#init.endpoint.token ?? '')}`;
    const socket = new this.#init.WebSocket(url);
    this.#socket = socket;
    socket.onopen = () => {
      if (this.#socket !== socket) return;
      this.#attempt = 0;
      this.#setState(resumed ? { state: 'connected', resumed: true } : { state: 'connected' });
      if (resumed) for (const job of this.#jobs.values()) job.resync();
    };
    socket.onmessage = (message: MessageEvent) => {
      if (this.#socket === socket) this.#onMessage(message.data);
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      if (this.#state !== 'closed') this.#scheduleReconnect();
    };
    return socket;
  }

  #setState(change: ConnectionChange): void {
    this.#state = change.state;
    this.emit('connection', change);
  }

  #scheduleReconnect(error?: ScanbridgeError): void {
    if (this.#timer || this.#state === 'closed') return;
    const { initialDelayMs, maxDelayMs } = this.#init.reconnect;
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** Math.min(this.#attempt, 16));
    this.#attempt += 1;
    this.#setState(error ? { state: 'reconnecting', attempt: this.#attempt, error } : { state: 'reconnecting', attempt: this.#attempt });
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#reconnect();
    }, delay);
  }

  async #reconnect(): Promise<void> {
    try {
      const [service] = await this.#withAccess(async () => (await getSafe(this.#init.endpoint, 'ServiceInfo')) as [ServiceInfo]);
      checkCompatible(service, this.base);
      this.#service = service;
      await this.#resumeOrReplaceSession();
      if (this.#state === 'closed') return;
      this.#openSocket(true);
    } catch (err) {
      const error = err instanceof ScanbridgeError ? err : new ScanbridgeError('internal-error', String(err));
      if (error.code === 'version-mismatch' || error.code === 'origin-not-allowed') {
        // Retrying cannot help: another version of the service now runs here, or
        // the user did not allow the page (asking again at every attempt would
        // nag them, and the service limits pending requests). connect() starts over.
        this.#setState({ state: 'closed', error });
        return;
      }
      this.#scheduleReconnect(error);
    }
  }

  /**
   * Run `work`; when the service no longer accepts the token (the user revoked
   * the page, or the approvals were reset), ask for access again, once. In a
   * browser a revoked origin gets no CORS answer, so the refusal shows as
   * origin-not-allowed (transport.ts) rather than token-invalid.
   */
  async #withAccess<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof ScanbridgeError && (err.code === 'token-invalid' || err.code === 'origin-not-allowed') && this.#init.access)) throw err;
      // One question to the user at a time, however many calls were refused meanwhile.
      const refused = this.#init.endpoint.token;
      this.#asking ??= (async () => {
        try {
          // Asked without the refused token: the service refuses a request that carries one it no longer accepts.
          this.#init.endpoint.token = await requestAccess({ ...this.#init.endpoint, token: null }, this.#init.access!);
          await this.#sign();
        } finally {
          this.#asking = null;
        }
      })();
      // A call refused with a token another call has already replaced just tries again.
      if (this.#init.endpoint.token === refused) await this.#asking;
      return work();
    }
  }

  #sign(): Promise<void> {
    return (this.#signing ??= (async () => {
      try {
        this.#signature = await signImages(this.#init.endpoint.token ?? '', this.#session.id);
      } finally {
        this.#signing = null;
      }
    })());
  }

  async #resumeOrReplaceSession(): Promise<void> {
    try {
      [this.#session] = await this.call('ResumeSession');
    } catch (err) {
      if (!(err instanceof ScanbridgeError && err.code === 'unknown-session')) throw err;
      const previous = this.#session.id;
      [this.#session] = await this.call('CreateSession');
      await this.#sign();
      rememberSession(this.#init.storageKey, this.#session.id);
      this.emit('session', { previous, session: this.#session });
    }
  }

  #onMessage(data: unknown): void {
    let message: { event?: unknown; data?: unknown };
    try {
      message = JSON.parse(String(data)) as typeof message;
    } catch {
      return;
    }
    if (message === null || typeof message !== 'object') return;
    // Events a newer service may add, or shapes this SDK does not know, are ignored rather than guessed at.
    const { event, data: payload } = message;
    if (typeof event !== 'string' || !Object.hasOwn(EVENT_TABLE, event) || !passes(EVENT_TABLE[event as keyof typeof EVENT_TABLE], payload)) return;
    if (event === 'buffer') this.emit('buffer', payload as BufferEvent);
    else if (event === 'job') this.#onJob(payload as JobEvent);
    else if (event === 'upload') {
      this.#uploads.get((payload as UploadEvent).upload.id)?.handle(payload as UploadEvent);
      this.emit('upload', payload as UploadEvent);
    } else if (event === 'devices') this.emit('devices', payload as EventData<'devices'>);
    else if (event === 'ocr') this.emit('ocr', payload as EventData<'ocr'>);
  }

  #onJob(event: JobEvent): void {
    const job = this.#jobs.get(event.job.id);
    if (job) job.handle(event);
    else {
      this.#recentJobEvents.push(event);
      if (this.#recentJobEvents.length > RECENT_JOB_EVENTS) this.#recentJobEvents.shift();
    }
    this.emit('job', event);
  }

  #track(info: JobInfo): ScanJob {
    const job = new ScanJob(info, {
      pageInfos: async (ids) => (await this.call('GetImagesInfo', { pages: ids }))[0],
      getJob: async (id) => (await this.call('GetJob', { job: id }))[0],
      cancelJob: async (id) => (await this.call('CancelJob', { job: id }))[0],
    });
    this.#jobs.set(info.id, job);
    // Not on('end'): the application's first 'end' listener gets the held event.
    const forget = () => this.#jobs.delete(info.id);
    job.done.then(forget, forget);
    for (const event of this.#recentJobEvents.filter((e) => e.job.id === info.id)) job.handle(event);
    if (info.state !== 'running' || this.#state !== 'connected') job.resync();
    return job;
  }
}

defineWrappers(ScanbridgeClient.prototype);
