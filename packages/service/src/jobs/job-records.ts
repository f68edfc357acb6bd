/**
 * Job records on disk (`<cache>/jobs/<job>.json`), rewritten at each step of a
 * job, so that after a crash or a stop the restarted service can still answer
 * GetJob: a job that was running is reported `interrupted`, with the pages it
 * had acquired (they are in the buffer, recovered by its journal).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { JobInfo } from '@scanbridge/protocol';
import { fullProtocol } from '../util/full-protocol.js';

export interface JobRecord {
  sessionId: string;
  info: JobInfo;
}

/** Ended jobs stay queryable this long, also across restarts. */
export const KEEP_ENDED_MS = 24 * 3600 * 1000;

const JOB_ID = /^[0-9a-f]{16}$/;

export class JobRecords {
  private writes = new Map<string, Promise<void>>();

  constructor(private readonly dir: string) {}

  /** Serialized per job: the last write wins, never a torn file (temp + rename). */
  save(record: JobRecord): Promise<void> {
    const id = record.info.id;
    const text = JSON.stringify(record);
    const prev = this.writes.get(id) ?? Promise.resolve();
    const next = prev.then(async () => {
      const file = path.join(this.dir, `${id}.json`);
      await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
      await fs.writeFile(`${file}.tmp`, text, { mode: 0o600 });
      await fs.rename(`${file}.tmp`, file);
    });
    const settled = next.catch(() => undefined);
    this.writes.set(id, settled);
    void settled.then(() => {
      if (this.writes.get(id) === settled) this.writes.delete(id);
    });
    return next;
  }

  async remove(id: string): Promise<void> {
    await this.writes.get(id);
    await fs.rm(path.join(this.dir, `${id}.json`), { force: true });
  }

  /**
   * Records left by the previous run: running jobs become interrupted (and are
   * saved so, after `settle` has completed them from what else survived, e.g.
   * the buffer's journal), records older than KEEP_ENDED_MS and unreadable
   * ones are deleted.
   */
  async recover(now = Date.now(), settle: (record: JobRecord) => JobRecord = (record) => record): Promise<JobRecord[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const records: JobRecord[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const id = name.replace(/\.json$/, '');
      if (!name.endsWith('.json') || !JOB_ID.test(id)) {
        await fs.rm(file, { force: true });
        continue;
      }
      try {
        const raw = JSON.parse(await fs.readFile(file, 'utf8')) as { sessionId?: unknown; info?: unknown };
        // The schema loads only when there are records to read (not on a fresh start).
        const info = (await fullProtocol()).JobInfo.parse(raw.info);
        if (typeof raw.sessionId !== 'string') throw new Error('no session');
        if (info.state === 'running') {
          const settled = settle({ sessionId: raw.sessionId, info });
          // A load adds its pages all at once at its end (ImageBuffer.addAll): an interrupted one added none.
          const message = settled.info.kind === 'load' ? 'the service stopped while the file was loading; none of its pages were added: load it again' : `the service stopped while the job ran; ${settled.info.pages} page(s) acquired before are in the buffer`;
          const ended: JobInfo = { ...settled.info, state: 'interrupted', endedAt: new Date(now).toISOString(), error: { code: 'job-interrupted', message } };
          await this.save({ sessionId: raw.sessionId, info: ended });
          records.push({ sessionId: raw.sessionId, info: ended });
          continue;
        } else if (info.endedAt && now - Date.parse(info.endedAt) > KEEP_ENDED_MS) {
          await fs.rm(file, { force: true });
          continue;
        }
        records.push({ sessionId: raw.sessionId, info });
      } catch {
        await fs.rm(file, { force: true });
      }
    }
    return records;
  }
}
