/**
 * Scan jobs, independent of the driver: a job runs a driver's scan, puts each
 * page into its session's buffer as it arrives, reports progress, and ends
 * done, failed (a typed code) or cancelled. Pages acquired before an error
 * stay in the buffer. One job at a time per device.
 *
 * What a client is told is what it reads back after a crash: each step's
 * record is on disk before its event is published (and before StartScan,
 * WaitJob or CancelJob answer with it). The one step that cannot be ordered
 * so, a page in the buffer's journal whose record was not written yet, is
 * settled on restart from the journal (the page carries its job's tag).
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import type { JobEvent, JobInfo, ScanSettings } from '@scanbridge/protocol';
import type { DeviceManager } from '../devices/device-manager.js';
import type { AcquiredPage } from '../devices/driver.js';
import { ingestPage } from '../imaging/ingest.js';
import type { PagePreview } from '../imaging/page-preview.js';
import type { ImageBuffer } from '../buffer/image-buffer.js';
import { KEEP_ENDED_MS, type JobRecord, type JobRecords } from './job-records.js';

interface Job {
  info: JobInfo;
  sessionId: string;
  controller: AbortController;
  done: Promise<void>;
  /** Forgets the ended job after KEEP_ENDED_MS (or with its session, whichever comes first). */
  expiry?: NodeJS.Timeout;
}

export interface JobManagerEvents {
  job: [sessionId: string, event: JobEvent];
  /** A scanned page's thumbnail, made beside its encoding (imaging/page-preview.ts). */
  preview: [sessionId: string, pageId: string, version: number, preview: PagePreview];
}

export class JobManager extends EventEmitter<JobManagerEvents> {
  private readonly jobs = new Map<string, Job>();
  /** Devices a scan job of this manager holds now. */
  private readonly scanning = new Set<string>();
  /** Devices each session has scanned with: released to their drivers when the session closes. */
  private readonly used = new Map<string, Set<string>>();

  constructor(
    private readonly devices: DeviceManager,
    private readonly records: JobRecords | null = null,
  ) {
    super();
  }

  /**
   * Jobs of the previous run (those that were running are now `interrupted`).
   * `buffer` finds a recovered session's buffer: an interrupted job's pages
   * are the ones its record names plus any its journal holds beyond them.
   */
  async restore(buffer: (sessionId: string) => ImageBuffer | undefined = () => undefined): Promise<void> {
    if (!this.records) return;
    const settle = (record: JobRecord): JobRecord => {
      const known = new Set(record.info.pageIds);
      const extra = buffer(record.sessionId)?.findByTag(jobTag(record.info.id)).filter((id) => !known.has(id)) ?? [];
      const pageIds = [...record.info.pageIds, ...extra];
      return { ...record, info: { ...record.info, pageIds, pages: pageIds.length } };
    };
    for (const record of await this.records.recover(Date.now(), settle)) {
      this.jobs.set(record.info.id, { info: record.info, sessionId: record.sessionId, controller: new AbortController(), done: Promise.resolve() });
      this.forgetLater(record.info.id);
    }
  }

  private forgetLater(id: string): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.expiry = setTimeout(() => {
      this.jobs.delete(id);
      void this.records?.remove(id).catch(() => undefined);
    }, KEEP_ENDED_MS).unref();
  }

  /** A closed session's ended jobs go at once, records included: nobody can ask for them any more. */
  private async forget(sessionId: string): Promise<void> {
    const ended = [...this.jobs.values()].filter((j) => j.sessionId === sessionId && j.info.state !== 'running');
    for (const job of ended) {
      clearTimeout(job.expiry);
      this.jobs.delete(job.info.id);
    }
    await Promise.all(ended.map((j) => this.records?.remove(j.info.id).catch(() => undefined)));
  }

  /**
   * Written before the step is published. Best effort: a job record that
   * cannot be written must not fail the scan itself.
   */
  private async persist(sessionId: string, info: JobInfo): Promise<void> {
    await this.records?.save({ sessionId, info: snapshot(info) }).catch(() => undefined);
  }

  async start(sessionId: string, buffer: ImageBuffer, deviceId: string, settings: ScanSettings): Promise<JobInfo> {
    const driver = this.devices.driverFor(deviceId);
    const availability = await driver.availability();
    if (!availability.available) throw new ScanbridgeError('driver-unavailable', `the ${driver.name} driver is unavailable: ${availability.reason}`);
    const id = randomBytes(8).toString('hex');
    // Camera document capture (and its options' schema) loads with the first scan that asks for it.
    const capture = settings.document ? await import('../imaging/document-capture.js') : null;
    const flatten = capture ? capture.captureDocumentOptions(settings.document) : null;
    // Taken before the driver is asked, so a device in use says by whom (a job, a network client).
    const release = this.devices.claim(deviceId, `job ${id}`);
    try {
      await driver.validate(deviceId, settings);
    } catch (err) {
      release();
      throw err;
    }
    if (!this.used.has(sessionId)) this.used.set(sessionId, new Set());
    this.used.get(sessionId)!.add(deviceId);
    this.scanning.add(deviceId);
    const info: JobInfo = {
      id,
      kind: 'scan',
      device: deviceId,
      state: 'running',
      pages: 0,
      pageIds: [],
      error: null,
      startedAt: new Date().toISOString(),
      endedAt: null,
    };
    const controller = new AbortController();
    const emit = (event: JobEvent) => this.emit('job', sessionId, event);

    let pageEvents: Promise<void> = Promise.resolve();
    // The `split` setting: each page joins its document as it arrives (documents/split-buffer.ts).
    const rule = settings.split;
    const split = rule ? import('../documents/split-buffer.js').then(({ ScanSplit }) => new ScanSplit(buffer, rule)) : undefined;
    const run = async () => {
      try {
        await driver.scan(
          deviceId,
          settings,
          {
            page: async (page: AcquiredPage) => {
              let { preview, ...stored } = await ingestPage(page, { jpegQuality: settings.storeJpeg });
              // The `document` setting: the photographed page enters the buffer flat (a frame without one as captured).
              let documentFound: boolean | undefined;
              if (flatten) {
                ({ image: stored, documentFound } = await capture!.flattenCapture(stored, flatten));
                preview = undefined;
              }
              const added = await buffer.add(stored, { tags: [jobTag(info.id)] });
              // Before the page event, so that a viewer's first thumbnail request finds it.
              if (preview) this.emit('preview', sessionId, added.id, added.version, preview);
              info.pages++;
              info.pageIds.push(added.id);
              await this.persist(sessionId, info);
              if (split) (await split).page(added.id);
              const event = { type: 'page' as const, job: snapshot(info), pageId: added.id, index: added.index, ...(documentFound === undefined ? {} : { documentFound }) };
              if (!settings.barcodes && !settings.autoRotate) {
                emit(event);
                return;
              }
              // Turned upright (autoRotate) and read beside the scan (the driver goes on with the next sheet); page events keep their order.
              // A page the engine failed on stays as scanned.
              const upright = settings.autoRotate
                ? import('../addons/ocr/auto-rotate.js').then(({ autoRotatePage }) => autoRotatePage(buffer, added)).catch(() => added)
                : Promise.resolve(added);
              const barcodes = settings.barcodes;
              // A page the reader failed on is still a page: its event comes without codes.
              const reading = barcodes
                ? upright.then((page) => import('../addons/barcode/scan-reader.js').then(({ readScannedPage }) => readScannedPage(buffer, page, barcodes))).catch(() => undefined)
                : upright.then(() => undefined);
              pageEvents = pageEvents.then(async () => {
                const found = await reading;
                emit(found ? { ...event, barcodes: found } : event);
              });
            },
            progress: (p) => emit({ type: 'progress', job: snapshot(info), page: p.page, fraction: p.fraction, bytes: p.bytes, lines: p.lines }),
          },
          controller.signal,
        );
      } finally {
        // `done` comes after the last page event, barcodes read, and after every page joined its document.
        await pageEvents;
        if (split) await (await split).end();
      }
    };

    const job: Job = { info, sessionId, controller, done: Promise.resolve() };
    // Known (to CancelJob, to a closing session) from now on, also while its first record is written.
    this.jobs.set(info.id, job);
    const recorded = this.persist(sessionId, info).then(() => emit({ type: 'started', job: snapshot(info) }));
    job.done = recorded.then(run).then(
      () => {
        info.state = controller.signal.aborted ? 'cancelled' : 'done';
        if (info.state === 'cancelled') info.error = { code: 'job-cancelled', message: 'the job was cancelled' };
      },
      (err: unknown) => {
        // An abort names its reason (cancelled on request, or the service stopping).
        const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
        const error = toScanbridgeError(reason instanceof ScanbridgeError ? reason : err);
        info.state = error.code === 'job-cancelled' ? 'cancelled' : 'failed';
        info.error = { code: error.code, message: error.message };
      },
    ).finally(async () => {
      info.endedAt = new Date().toISOString();
      // The device is free once the driver's scan has ended, record or not.
      this.scanning.delete(deviceId);
      release();
      await this.persist(sessionId, info);
      emit({ type: info.state === 'done' ? 'done' : 'failed', job: snapshot(info) });
      this.forgetLater(info.id);
    });
    await recorded;
    return snapshot(info);
  }

  /**
   * A load job (StartLoad): `work` decodes a file into the buffer, reporting
   * pages decoded of the file's total, and answers the ids of the pages it
   * added, all at its end (a load is all or nothing, ImageBuffer.addAll), so
   * it sends no page events: `done` carries the pages. A cancel aborts it
   * before its next page and adds nothing.
   */
  startLoad(sessionId: string, work: (job: { id: string; signal: AbortSignal; progress: (done: number, total: number) => void }) => Promise<string[]>): JobInfo {
    const info: JobInfo = { id: randomBytes(8).toString('hex'), kind: 'load', device: '', state: 'running', pages: 0, pageIds: [], error: null, startedAt: new Date().toISOString(), endedAt: null };
    const controller = new AbortController();
    const emit = (event: JobEvent) => this.emit('job', sessionId, event);
    const job: Job = { info, sessionId, controller, done: Promise.resolve() };
    this.jobs.set(info.id, job);
    // Not awaited: a load that has added nothing yet loses nothing if its first record is late.
    void this.persist(sessionId, info);
    emit({ type: 'started', job: snapshot(info) });
    const progress = (done: number, total: number) => emit({ type: 'progress', job: snapshot(info), page: done, fraction: total > 0 ? done / total : 0, bytes: 0, lines: 0, total });
    job.done = Promise.resolve()
      .then(() => work({ id: info.id, signal: controller.signal, progress }))
      .then(
        (ids) => {
          info.pageIds = ids;
          info.pages = ids.length;
          info.state = 'done';
        },
        (err: unknown) => {
          const reason: unknown = controller.signal.aborted ? controller.signal.reason : undefined;
          const error = toScanbridgeError(reason instanceof ScanbridgeError ? reason : err);
          info.state = error.code === 'job-cancelled' ? 'cancelled' : 'failed';
          info.error = { code: error.code, message: error.message };
        },
      )
      .finally(async () => {
        info.endedAt = new Date().toISOString();
        // Written before the event: what a client was told is what it reads back after a crash.
        await this.persist(sessionId, info);
        emit({ type: info.state === 'done' ? 'done' : 'failed', job: snapshot(info) });
        this.forgetLater(info.id);
      });
    return snapshot(info);
  }

  private find(sessionId: string, jobId: string): Job {
    const job = this.jobs.get(jobId);
    // A job of another session is reported as unknown: its existence is not another page's business.
    if (!job || job.sessionId !== sessionId) throw new ScanbridgeError('unknown-job', `no job "${jobId}" in this session`);
    return job;
  }

  get(sessionId: string, jobId: string): JobInfo {
    return snapshot(this.find(sessionId, jobId).info);
  }

  async wait(sessionId: string, jobId: string, timeoutMs: number): Promise<JobInfo> {
    const job = this.find(sessionId, jobId);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([job.done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return snapshot(job.info);
  }

  async cancel(sessionId: string, jobId: string): Promise<JobInfo> {
    const job = this.find(sessionId, jobId);
    if (job.info.state === 'running') {
      job.controller.abort(new ScanbridgeError('job-cancelled', 'the job was cancelled'));
      await job.done;
    }
    return snapshot(job.info);
  }

  /**
   * Cancel every job of a session (it is closing: its devices are released and
   * its jobs and their records forgotten) or all jobs (the service is stopping).
   */
  async cancelAll(sessionId?: string, reason = new ScanbridgeError('service-stopping', 'the service is stopping')): Promise<void> {
    const jobs = [...this.jobs.values()].filter((j) => j.info.state === 'running' && (!sessionId || j.sessionId === sessionId));
    for (const job of jobs) job.controller.abort(reason);
    await Promise.all(jobs.map((j) => j.done));
    if (sessionId) await Promise.all([this.release(sessionId), this.forget(sessionId)]);
  }

  /** The closing session's devices that no other session uses go back to their drivers (device workers stop). */
  private async release(sessionId: string): Promise<void> {
    const devices = this.used.get(sessionId) ?? new Set<string>();
    this.used.delete(sessionId);
    for (const deviceId of devices) {
      if (this.devices.held(deviceId) || [...this.used.values()].some((other) => other.has(deviceId))) continue;
      await this.devices.driverFor(deviceId).release?.(deviceId).catch(() => undefined);
    }
  }

  running(): number {
    return this.scanning.size;
  }
}

/** The tag a job puts on its pages: how its pages are found in the buffer, also after a restart. */
export function jobTag(jobId: string): string {
  return `job:${jobId}`;
}

function snapshot(info: JobInfo): JobInfo {
  return { ...info, pageIds: [...info.pageIds] };
}

export function toScanbridgeError(err: unknown): ScanbridgeError {
  if (err instanceof ScanbridgeError) return err as ScanbridgeError;
  return new ScanbridgeError('internal-error', err instanceof Error ? err.message : String(err));
}
