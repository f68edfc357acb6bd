/**
 * An upload the service runs in the background, as the application sees it:
 * `progress` events (bytes sent of the total), `end`, `done` and `cancel()`.
 * Socket events are the fast path; the job also long-polls WaitUpload, so a
 * missed event or a reconnect never leaves it waiting.
 */
import { ScanbridgeError, isErrorCode } from '@scanbridge/protocol/core';
import type { UploadEvent, UploadInfo } from '@scanbridge/protocol';
import { Emitter } from './emitter.js';
import { Ending } from './ending.js';

export interface UploadJobEvents {
  /**
   * Bytes went out: `bytesSent` of `bytesTotal`; a POST streams the pages as
   * they are encoded, so its `bytesTotal` is 0 until the end: `pagesDone` of
   * `pages` is its progress.
   */
  progress: UploadInfo;
  /** The upload ended: done, failed or cancelled. */
  end: UploadInfo;
}

/** What an upload job needs from its client. */
export interface UploadHost {
  waitUpload(id: string): Promise<UploadInfo>;
  cancelUpload(id: string): Promise<UploadInfo>;
  /** The client was closed: nobody will answer any more. */
  readonly closed: boolean;
}

/**
 * The typed error of an upload that did not end `done`. Its details carry
 * the server's answer (status, headers, body) when there was one, and the
 * upload itself.
 */
export function uploadError(info: UploadInfo): ScanbridgeError | null {
  if (info.state === 'done' || info.state === 'running') return null;
  const code = info.error && isErrorCode(info.error.code) ? info.error.code : info.state === 'cancelled' ? 'job-cancelled' : 'upload-failed';
  const details = info.error?.details && typeof info.error.details === 'object' ? info.error.details : {};
  return new ScanbridgeError(code, info.error?.message ?? `the upload ended ${info.state}`, { ...details, upload: info });
}

/** After a failed WaitUpload (the service restarting), ask again after this long. */
const RETRY_MS = 1000;

export class UploadJob extends Emitter<UploadJobEvents> {
  #info: UploadInfo;
  readonly #host: UploadHost;
  readonly #ending = new Ending<UploadInfo>(() => this.#info);

  constructor(info: UploadInfo, host: UploadHost) {
    super();
    // The upload emits before the application can call on().
    this.holdUntilListened('progress', 'end');
    this.#info = info;
    this.#host = host;
    void this.#follow();
  }

  get id(): string {
    return this.#info.id;
  }

  /** The latest known state: bytes sent, attempts, the server's last answer. */
  get info(): UploadInfo {
    return this.#info;
  }

  get ended(): boolean {
    return this.#ending.ended;
  }

  /**
   * Resolves with the upload when the server took it (its answer is in
   * `response`); rejects with a ScanbridgeError otherwise (upload-failed with
   * the server's answer in `details`, destination-not-allowed,
   * job-cancelled...). The pages stay in the buffer either way. Created on
   * first use, so an upload whose `done` nobody reads never causes an
   * unhandled rejection.
   */
  get done(): Promise<UploadInfo> {
    return this.#ending.done;
  }

  async cancel(): Promise<UploadInfo> {
    const info = await this.#host.cancelUpload(this.id);
    this.#settle(info);
    return info;
  }

  /** @internal An upload event of this job, from the client's socket. */
  handle(event: UploadEvent): void {
    if (this.#ending.ended || event.upload.id !== this.id) return;
    // Events and long-poll answers may cross: never go back to fewer bytes sent.
    if (event.upload.bytesSent < this.#info.bytesSent && event.upload.state === 'running') return;
    this.#info = event.upload;
    if (event.upload.state === 'running') this.emit('progress', event.upload);
    else this.#settle(event.upload);
  }

  async #follow(): Promise<void> {
    while (!this.#ending.ended) {
      try {
        this.#settle(await this.#host.waitUpload(this.id));
      } catch (err) {
        const error = err instanceof ScanbridgeError ? err : new ScanbridgeError('internal-error', String((err as Error)?.message ?? err));
        // The service forgot the upload (it restarted during a POST or PUT, which do not resume): that is its end.
        if (error.code === 'unknown-job') this.#end(new ScanbridgeError('job-interrupted', `the upload ${this.id} was interrupted (the service restarted?); start it again`, { upload: this.#info }));
        else if (this.#host.closed) this.#end(error);
        else await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  #settle(info: UploadInfo): void {
    if (this.#ending.ended) return;
    this.#info = info;
    if (info.state !== 'running') this.#end(uploadError(info));
  }

  #end(error: ScanbridgeError | null): void {
    if (this.#ending.end(error)) this.emit('end', this.#info);
  }
}
