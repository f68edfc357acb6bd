/**
 * One eSCL scan job on the server: a small state machine (Processing →
 * Completed, Aborted or Canceled) around one driver scan. Pages are encoded
 * as they arrive and held only until the client takes them with
 * NextDocument; the scan waits while a few are not taken yet, so a client
 * that reads slowly holds a few pages, not a batch.
 */
import { randomUUID } from 'node:crypto';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { ScanSettings } from '@scanbridge/protocol';
import type { DeviceManager } from '../devices/device-manager.js';
import type { EsclJobInfo } from '../devices/escl/escl-model.js';
import { toScanbridgeError } from '../jobs/job-manager.js';
import { encodeDocument, type EsclDocument } from './document-encoder.js';
import type { ServedFormat } from './escl-mapping.js';

/** Pages encoded ahead of the client (the scan pauses beyond). */
const AHEAD = 2;

export type JobEnd = { state: 'Completed' } | { state: 'Aborted' | 'Canceled'; error: ScanbridgeError };

export class EsclJob {
  readonly uuid = randomUUID();
  readonly uri: string;
  readonly startedAt = Date.now();
  /** Documents taken by the client. */
  delivered = 0;
  /** The last document taken, for ScanImageInfo (its bytes are dropped). */
  lastTaken: Omit<EsclDocument, 'parts'> | null = null;
  end: JobEnd | null = null;
  /** When the client last asked for something: an abandoned job is cancelled. */
  touchedAt = Date.now();

  private readonly queue: Promise<EsclDocument>[] = [];
  private readonly controller = new AbortController();
  /** Woken whenever the queue or the state changes (the scan waiting for room, a client waiting for a page). */
  private readonly waiters = new Set<() => void>();
  private readonly done: Promise<void>;

  constructor(
    base: string,
    devices: DeviceManager,
    deviceId: string,
    settings: ScanSettings,
    format: ServedFormat,
    release: () => void,
    onEnd: (end: JobEnd) => void,
  ) {
    this.uri = `${base}/ScanJobs/${this.uuid}`;
    const signal = this.controller.signal;
    const driver = devices.driverFor(deviceId);
    this.done = driver
      .scan(
        deviceId,
        settings,
        {
          page: async (page) => {
            const encoded = encodeDocument(page, format);
            // A failed encoding is reported when its page is asked for, not as an unhandled rejection now.
            encoded.catch(() => undefined);
            this.queue.push(encoded);
            this.notify();
            while (this.queue.length > AHEAD && !signal.aborted) await this.change(60_000);
          },
          progress: () => undefined,
          network: true,
          // Asked for JPEG, an 8-bit page is encoded as one where it is scanned, once.
          networkFormat: format === 'image/jpeg' ? 'jpeg' : 'png',
        },
        signal,
      )
      .then(
        () => {
          this.end = signal.aborted ? { state: 'Canceled', error: toScanbridgeError(signal.reason) } : { state: 'Completed' };
        },
        (err: unknown) => {
          const error = toScanbridgeError(signal.aborted ? signal.reason : err);
          this.end = { state: error.code === 'job-cancelled' ? 'Canceled' : 'Aborted', error };
        },
      )
      .finally(() => {
        release();
        onEnd(this.end!);
        this.notify();
      });
  }

  private notify(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private change(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(done);
        resolve();
      }, ms);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.add(done);
    });
  }

  get running(): boolean {
    return this.end === null;
  }

  /**
   * The next document, waiting for the scanner up to `waitMs`; null when the
   * job has no more (completed, failed or cancelled: `end` says which), or
   * 'wait' when the scanner is still on it.
   */
  async next(waitMs: number): Promise<EsclDocument | null | 'wait'> {
    this.touchedAt = Date.now();
    const deadline = Date.now() + waitMs;
    while (this.queue.length === 0 && this.running) {
      const left = deadline - Date.now();
      if (left <= 0) return 'wait';
      await this.change(left);
    }
    const first = this.queue.shift();
    this.notify();
    if (!first) return null;
    try {
      const doc = await first;
      this.delivered++;
      const { parts: _, ...info } = doc;
      this.lastTaken = info;
      this.touchedAt = Date.now();
      return doc;
    } catch (err) {
      this.cancel(toScanbridgeError(err));
      this.queue.length = 0;
      return null;
    }
  }

  /** Pages not taken yet are dropped. */
  cancel(reason = new ScanbridgeError('job-cancelled', 'the eSCL client cancelled the job')): Promise<void> {
    if (this.running) this.controller.abort(reason);
    this.queue.length = 0;
    this.notify();
    return this.done;
  }

  info(): EsclJobInfo {
    const state = this.end?.state ?? 'Processing';
    const reasons = this.end === null ? ['JobScanning'] : this.end.state === 'Completed' ? ['JobCompletedSuccessfully'] : this.end.state === 'Canceled' ? ['JobCanceledByUser'] : ['AbortedBySystem'];
    return {
      uri: this.uri,
      uuid: this.uuid,
      age: Math.round((Date.now() - this.startedAt) / 1000),
      imagesCompleted: this.delivered,
      imagesToTransfer: this.queue.length,
      state,
      reasons,
    };
  }
}
