/**
 * The one catalogue of error codes. Every failure that crosses the wire carries
 * one of these codes; the HTTP status and the remedy live here so that the
 * service, the SDK and the docs agree. A test checks that every code is
 * documented in docs/errors.md.
 */
export interface ErrorSpec {
  /** HTTP status used when this error ends an HTTP request. */
  readonly status: number;
  /** What the developer (or user) can do about it. */
  readonly remedy: string;
}

export const ERRORS = {
  // request shape
  'invalid-json': { status: 400, remedy: 'Send a JSON object body: {"id": "<session>", "params": {...}, "cmdId": "..."}.' },
  'invalid-request': { status: 400, remedy: 'Fix the request envelope as the message says.' },
  'invalid-params': { status: 400, remedy: 'Fix the parameter named in the message; the protocol reference lists every parameter.' },
  'unknown-method': { status: 404, remedy: 'Check the method name; GET /fa/ListMethods lists every method.' },
  'method-not-allowed': { status: 405, remedy: 'Use POST for methods that change state; only /fa/ methods without side effects answer GET.' },
  'not-found': { status: 404, remedy: 'Check the URL; the README lists every endpoint.' },
  'too-large': { status: 413, remedy: 'Send a smaller body: methods that take a file (AddImage, LoadImages) take up to MaxBodyMB (scanbridge.ini), every other request 1 MB.' },
  'request-timeout': { status: 408, remedy: 'Send the whole request at once: its headers within 10 s of connecting (or of the previous answer), all of it within 30 s; a client that trickles a request is cut off.' },
  // security gate
  'host-not-allowed': { status: 403, remedy: 'Address the service as 127.0.0.1, localhost or [::1] with its own port.' },
  'other-user': { status: 403, remedy: 'scanbridge answers only the programs of the user account it runs for. Each person on a shared machine runs their own scanbridge; an administrator who wants one service for every account sets AllowOtherUsers = true in scanbridge.ini.' },
  'origin-not-allowed': { status: 403, remedy: 'Ask the administrator to add the page origin to AllowedOrigins in scanbridge.ini (exactly as the browser writes it, e.g. https://app.example.com).' },
  'token-invalid': { status: 403, remedy: 'Call RequestAccess from the page (the SDK does it in connect()) and send the token it gives in the X-Scanbridge-Token header; command-line callers send the token from cert/admin.token in the service folder.' },
  'too-many-requests': { status: 429, remedy: 'Slow down: wait a few seconds and retry; answer pending consent pages before asking again.' },
  // sessions and buffer
  'session-required': { status: 400, remedy: 'Create a session with POST /fa/CreateSession and pass its id as "id".' },
  'unknown-session': { status: 404, remedy: 'The session was closed or expired; create a new one with CreateSession.' },
  'document-not-found': { status: 404, remedy: 'Use a document id from GetDocuments (or a buffer documents event); documents change when their pages are removed or the buffer is split again.' },
  'page-not-found': { status: 404, remedy: 'Use an index below the page count (GetImageCount) or an existing page id (GetImagesInfo).' },
  'invalid-image': { status: 400, remedy: 'Send a complete file in a supported format (JPEG, PNG, BMP, TIFF, WebP or PDF); the message names the format and what is wrong with it.' },
  'pdf-password-required': { status: 400, remedy: 'The PDF is encrypted: pass its password as params.password (a wrong password gets this error too).' },
  'path-not-allowed': { status: 403, remedy: 'Saving to disk goes only to folders listed in SaveFolders in scanbridge.ini (empty by default: saving to disk is off); pass the index of one of them as params.folder, or take the file as base64 or binary.' },
  'page-damaged': { status: 409, remedy: 'The stored image of the page no longer decodes; remove the page and scan or add it again. Other pages are not affected.' },
  'tool-missing': { status: 500, remedy: 'Install the system package named in the message (scripts/setup.sh installs it); no restart is needed.' },
  'barcode-reader-crashed': { status: 500, remedy: 'The barcode reader stopped while reading a page (a crash or it ran out of memory); scanbridge replaced it and keeps running, and the pages are unchanged. Read the page again, with a region or fewer formats if it repeats.' },
  'ocr-language-missing': { status: 400, remedy: 'Install the language named in the message: put its <lang>.traineddata (from the tessdata repositories) in the ocr/ folder of the service folder, or on Debian install tesseract-ocr-<lang>; No restart is needed.' },
  'ocr-engine-crashed': { status: 500, remedy: 'The OCR engine stopped while recognising a page (a crash or it ran out of memory); scanbridge replaced it and keeps running, and the pages are unchanged. Recognise the page again, with a region if it repeats.' },
  'buffer-storage-failed': { status: 500, remedy: 'Check free disk space and permissions of the cache folder (CacheDir); pages already in the buffer are kept.' },
  // devices and jobs
  'unknown-device': { status: 404, remedy: 'Use an id returned by ListDevices.' },
  'driver-unavailable': { status: 409, remedy: 'Install the package named in the message and restart the service.' },
  'invalid-settings': { status: 400, remedy: 'Use values listed in the device capabilities (GetCapabilities).' },
  'unknown-job': { status: 404, remedy: 'Use a job id returned by StartScan; finished jobs are kept for a limited time.' },
  'device-busy': { status: 409, remedy: 'Wait for the running job on this device to end, or cancel it.' },
  'paper-jam': { status: 409, remedy: 'Clear the paper jam and scan the remaining sheets; pages scanned before the jam are kept.' },
  'feeder-empty': { status: 409, remedy: 'Load paper into the document feeder, or scan from the flatbed.' },
  'cover-open': { status: 409, remedy: 'Close the scanner cover and scan again.' },
  'device-gone': { status: 409, remedy: 'Reconnect the scanner and list devices again.' },
  'io-error': { status: 500, remedy: 'Check the scanner connection and power, then scan again.' },
  'access-denied': { status: 403, remedy: 'Give the user running scanbridge access to the scanner (e.g. the scanner group).' },
  'driver-crashed': { status: 500, remedy: 'The scanner driver process stopped unexpectedly (a crash in the driver, it was killed, or it stopped responding and scanbridge ended it); scanbridge keeps running and pages scanned before are kept. Scan again; if it repeats, update the scanner driver (e.g. the SANE backend) and report it with the log.' },
  'device-certificate-changed': { status: 502, remedy: 'The HTTPS network scanner presented another certificate than the one pinned when scanbridge first connected to it (as SSH warns of a changed host key): another machine may be answering in its place. If you know the scanner was reset or got a new certificate, forget the pin with `scanbridge devices unpin <url>` (or remove its entry from escl-pins.json in the service folder) and connect again; details name both fingerprints.' },
  'device-protocol-error': { status: 502, remedy: 'The network scanner answered something that is not valid eSCL (malformed or oversized XML, a document type declaration, a document cut off or stalled); the message names the request and what was wrong. Pages received before are kept; scan again, and if it repeats update the scanner firmware or report it with the log.' },
  'job-cancelled': { status: 409, remedy: 'The job was cancelled on request; pages acquired before are kept.' },
  'job-interrupted': { status: 409, remedy: 'The service stopped or crashed during the job; the pages acquired before are in the buffer: scan the remaining sheets again.' },
  // uploads
  'destination-not-allowed': { status: 403, remedy: "Upload to the page's own origin, or ask the administrator to add the destination to UploadDestinations in scanbridge.ini; HTTPS is needed unless the host is loopback, and redirects to another host are not followed." },
  'upload-failed': { status: 502, remedy: "The destination server refused the upload or kept failing: details carry its status and answer; fix what it names (size, authorization) and start the upload again. The pages stay in the buffer." },
  'service-stopping': { status: 503, remedy: 'The service is shutting down; retry once it is back.' },
  'internal-error': { status: 500, remedy: 'A bug in scanbridge: the log folder holds details; please report it.' },
  // raised by the SDK (@scanbridge/client) in the page; the status is never sent
  'service-not-found': { status: 503, remedy: 'Install and start scanbridge on this computer (details.installUrl says how), or pass the host and ports it listens on to connect().' },
  'certificate-not-trusted': { status: 503, remedy: 'scanbridge runs, but this browser does not trust its HTTPS certificate, which pages served over https:// need: run `scanbridge cert install` (or install scanbridge again with its installer), then restart the browser.' },
  'local-network-access-denied': { status: 403, remedy: 'The browser keeps this page from reaching scanbridge on this computer until the user allows it: allow "Local network access" (apps and services on this device) for this site when the browser asks, or in the site\'s settings (the icon left of the address), then reload. A page in an iframe also needs allow="local-network-access" on the iframe.' },
  'version-mismatch': { status: 409, remedy: 'Update the older side: details name the service version and the protocol versions of the service and of the SDK.' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERRORS, value);
}

/** The wire form of an error. */
export interface WireError {
  code: ErrorCode;
  message: string;
  /** Optional structured details (the offending path, the allowed values...). */
  details?: Record<string, unknown>;
}

const brand = Symbol.for('scanbridge.error');

/**
 * The one error class both sides throw. `instanceof` works across duplicate
 * package copies through a registered symbol (as undici does).
 */
export class ScanbridgeError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScanbridgeError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERRORS[this.code].status;
  }

  get remedy(): string {
    return ERRORS[this.code].remedy;
  }

  toWire(): WireError {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }

  static fromWire(wire: WireError): ScanbridgeError {
    const code = isErrorCode(wire.code) ? wire.code : 'internal-error';
    return new ScanbridgeError(code, wire.message, wire.details);
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
  }
}
Object.defineProperty(ScanbridgeError.prototype, brand, { value: true });
