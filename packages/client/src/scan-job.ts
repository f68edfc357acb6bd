/**
 * A running job (a scan, or a file load) as the application sees it: events (`page`, `progress`,
 * `end`), an async iterator of the pages in acquisition order, and `done`.
 * Pages come from the service's job events; after a reconnect, or if an event
 * was missed, the job's own page list (JobInfo.pageIds) fills the gaps, so no
 * page is skipped or yielded twice.
 */
import { ScanbridgeError, isErrorCode } from '@scanbridge/protocol/core';
import type { JobEvent, JobInfo, PageInfo } from '@scanbridge/protocol';
import { Emitter } from './emitter.js';
import { Ending } from './ending.js';

export interface JobProgress {
  /** A scan: number of the page being acquired in this job, from 1 (as a scanner counts; each side of a duplex sheet is a page). A load: pages decoded so far. */
  page: number;
  /** A scan: 0..1 of the current page. A load: 0..1 of the file (page / total). */
  fraction: number;
  bytes: number;
  lines: number;
  /** A load: the file's page count. */
  total?: number;
}

export interface ScanJobEvents {
  /** A page arrived in the buffer. */
  page: PageInfo;
  progress: JobProgress;
  /** The job ended: done, failed, cancelled or interrupted. */
  end: JobInfo;
}

/** What a job needs from its client. */
export interface JobHost {
  pageInfos(ids: string[]): Promise<PageInfo[]>;
  getJob(id: string): Promise<JobInfo>;
  cancelJob(id: string): Promise<JobInfo>;
}

/** The typed error of a job that did not end `done`, carrying the job. */
export function jobError(info: JobInfo): ScanbridgeError | null {
  if (info.state === 'done' || info.state === 'running') return null;
  const code = info.error && isErrorCode(info.error.code) ? info.error.code : info.state === 'cancelled' ? 'job-cancelled' : 'internal-error';
  return new ScanbridgeError(code, info.error?.message ?? `the ${info.kind} job ended ${info.state}`, { job: info });
}

/** A missed event (a socket that reconnected, a proxy that dropped a frame) costs at most this long. */
const POLL_MS = 2000;

export class ScanJob extends Emitter<ScanJobEvents> {
  #info: JobInfo;
  readonly #host: JobHost;
  readonly #delivered: PageInfo[] = [];
  readonly #seen = new Set<string>();
  readonly #wakers: Array<() => void> = [];
  /** Page deliveries run one after another so pages keep their order. */
  #chain: Promise<void> = Promise.resolve();
  readonly #ending = new Ending<JobInfo>(() => this.#info);

  /** While running, the job also asks the service now and then: events are the fast path, not the only one. */
  #poll: ReturnType<typeof setInterval> | null = null;
  #polling = false;

  constructor(info: JobInfo, host: JobHost) {
    super();
    // The job emits before the application can call on() (its events may even precede StartScan's answer).
    this.holdUntilListened('page', 'progress', 'end');
    this.#info = info;
    this.#host = host;
    if (info.state === 'running') {
      this.#poll = setInterval(() => {
        if (this.#polling) return;
        this.#polling = true;
        this.resync();
        void this.#chain.finally(() => (this.#polling = false));
      }, POLL_MS);
      // In Node, a forgotten job must not keep the process alive.
      (this.#poll as { unref?: () => void }).unref?.();
    }
  }

  get id(): string {
    return this.#info.id;
  }

  /** The latest known state of the job. */
  get info(): JobInfo {
    return this.#info;
  }

  get ended(): boolean {
    return this.#ending.ended;
  }

  /**
   * Resolves with the job when it ended `done`; rejects with a ScanbridgeError
   * (paper-jam, feeder-empty, job-cancelled...) otherwise. The pages acquired
   * before an error stay in the buffer. Created on first use, so a job whose
   * `done` nobody reads never causes an unhandled rejection.
   */
  get done(): Promise<JobInfo> {
    return this.#ending.done;
  }

  /** Every page of the job in acquisition order, from the first, as they arrive; throws the job's error at the end. */
  async *pages(): AsyncGenerator<PageInfo, void, undefined> {
    let next = 0;
    for (;;) {
      while (next < this.#delivered.length) yield this.#delivered[next++]!;
      if (this.#ending.ended) {
        if (this.#ending.error) throw this.#ending.error;
        return;
      }
      await new Promise<void>((resolve) => this.#wakers.push(resolve));
    }
  }

  async cancel(): Promise<JobInfo> {
    const info = await this.#host.cancelJob(this.id);
    this.#update(info);
    return info;
  }

  /** @internal A job event of this job, from the client's socket. */
  handle(event: JobEvent): void {
    if (this.#ending.ended) return;
    this.#update(event.job);
    if (event.type === 'page') this.#deliver([event.pageId]);
    else if (event.type === 'progress') {
      const progress: JobProgress = { page: event.page, fraction: event.fraction, bytes: event.bytes, lines: event.lines };
      if (event.total !== undefined) progress.total = event.total;
      this.emit('progress', progress);
    }
    else if (event.type === 'done' || event.type === 'failed') this.#finish(event.job);
  }

  /** @internal After a reconnect: events may have been missed, ask the service. */
  resync(): void {
    if (this.#ending.ended) return;
    this.#chain = this.#chain.then(async () => {
      try {
        const info = await this.#host.getJob(this.id);
        this.#update(info);
        await this.#deliverNow(info.pageIds);
        if (info.state !== 'running') this.#finish(info);
      } catch (err) {
        // The service forgot the job (restarted long ago): end it with that error.
        if (err instanceof ScanbridgeError && err.code === 'unknown-job') this.#end(err);
      }
    });
  }

  #update(info: JobInfo): void {
    if (info.id === this.id) this.#info = info;
  }

  #deliver(ids: string[]): void {
    this.#chain = this.#chain.then(() => this.#deliverNow(ids));
  }

  async #deliverNow(ids: string[]): Promise<void> {
    const fresh = ids.filter((id) => !this.#seen.has(id));
    if (fresh.length === 0) return;
    fresh.forEach((id) => this.#seen.add(id));
    let infos: PageInfo[];
    try {
      infos = await this.#host.pageInfos(fresh);
    } catch {
      // One by one: a page the user removed before we asked is skipped for good; one we could not
      // ask about (the service was restarting) is asked for again at the next resync or at the end.
      infos = [];
      for (const id of fresh) {
        try {
          infos.push(...(await this.#host.pageInfos([id])));
        } catch (err) {
          if (!(err instanceof ScanbridgeError && err.code === 'page-not-found')) this.#seen.delete(id);
        }
      }
    }
    for (const info of infos) {
      this.#delivered.push(info);
      this.emit('page', info);
    }
    this.#wake();
  }

  #finish(info: JobInfo): void {
    this.#chain = this.#chain.then(async () => {
      if (this.#ending.ended) return;
      this.#update(info);
      await this.#deliverNow(info.pageIds);
      this.#end(jobError(info));
    });
  }

  #end(error: ScanbridgeError | null): void {
    if (!this.#ending.end(error)) return;
    if (this.#poll) clearInterval(this.#poll);
    this.emit('end', this.#info);
    this.#wake();
  }

  #wake(): void {
    this.#wakers.splice(0).forEach((resolve) => resolve());
  }
}
