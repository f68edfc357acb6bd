/**
 * Following a scan job from the command line, for batches of any length: the
 * job's end comes from repeated short WaitJob calls (each answered well
 * within every server timeout, so a two-hour batch is many short requests,
 * never one long one), and progress within a page from the session's
 * WebSocket events when progress is shown. Progress goes to stderr: on a
 * terminal one line rewritten in place, elsewhere a line per page.
 */
import type { JobEvent, JobInfo } from '@scanbridge/protocol';
import type { ServiceClient } from './service-client.js';

/** Seconds each WaitJob may wait: far below the server's 30 s connection timeout. */
export const WAIT_SLICE = 10;

export interface Progress {
  page(page: number, fraction: number, done: number): void;
  end(job: JobInfo): void;
}

export function progressPrinter(stream: NodeJS.WriteStream): Progress {
  const tty = stream.isTTY === true;
  let lastPage = 0;
  return {
    page(page, fraction, done) {
      if (tty) {
        stream.write(`\rscanning page ${page}: ${Math.round(fraction * 100)}%, ${done} page(s) done `);
      } else if (page !== lastPage) {
        stream.write(`scanning page ${page} (${done} done)\n`);
      }
      lastPage = page;
    },
    end(job) {
      stream.write(`${tty ? '\r' : ''}scanned ${job.pages} page(s)${job.state === 'done' ? '' : ` (${job.state})`}${tty ? '                    ' : ''}\n`);
    },
  };
}

/**
 * Starts the job and waits for its end; with a printer, reports progress from
 * the session's events, listened to before the start so the first page's are not missed.
 */
export async function runJob(client: ServiceClient, start: () => Promise<JobInfo>, progress: Progress | null): Promise<JobInfo> {
  const events = progress ? await client.events().catch(() => null) : null;
  let job: JobInfo | undefined;
  try {
    events?.on('message', (raw: Buffer) => {
      let message: { event?: string; data?: JobEvent };
      try {
        message = JSON.parse(raw.toString()) as typeof message;
      } catch {
        return;
      }
      const data = message.data;
      if (message.event !== 'job' || !data || (job && data.job.id !== job.id)) return;
      // The page being read is the one after those done (independent of how `page` is numbered).
      if (data.type === 'progress') progress?.page(data.job.pages + 1, data.fraction, data.job.pages);
    });
    job = await start();
    while (job.state === 'running') {
      [job] = await client.call('WaitJob', { job: job.id, timeout: WAIT_SLICE }, 'f');
      // Without events (or between them) the page count still moves.
      if (job.state === 'running' && !events) progress?.page(job.pages + 1, 0, job.pages);
    }
  } finally {
    events?.close();
  }
  progress?.end(job);
  return job;
}
