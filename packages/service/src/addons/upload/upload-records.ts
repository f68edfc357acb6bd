/**
 * What an upload job needs to go on after the service restarts: written next
 * to its temporary file in `upload/`, removed with it when the job ends.
 * Only tus uploads are resumed (the server keeps what it received) and only
 * they are recorded; anything else in the folder is cleaned away on start.
 */
import { readdir, readFile, rm, writeFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { UploadDestination, UploadInfo } from '@scanbridge/protocol';

/** An encoded file in `upload/` (put and tus send from it). */
export interface FilePart {
  path: string;
  name: string;
  size: number;
  mimeType: string;
}

export interface UploadRecord {
  sessionId: string;
  /** The page origin that started it ('local' for the administrator): redirects and tus Locations are checked against it. */
  caller: string;
  info: UploadInfo;
  destination: UploadDestination;
  retries: number;
  /** Temporary files (put, tus); empty while the pages are being encoded, and for post, which streams. */
  files: FilePart[];
  /** tus: the upload's URL once created. */
  tusUrl?: string | undefined;
}

const RECORD = '.json';

export class UploadRecords {
  constructor(readonly dir: string) {}

  fileOf(id: string, n: number, ext: string): string {
    return path.join(this.dir, `${id}-${n}${ext}`);
  }

  /** Written whole then renamed, so a crash never leaves half a record. */
  async save(record: UploadRecord): Promise<void> {
    const target = path.join(this.dir, `${record.info.id}${RECORD}`);
    await writeFile(`${target}.tmp`, JSON.stringify(record), { mode: 0o600 });
    await rename(`${target}.tmp`, target);
  }

  async remove(record: UploadRecord): Promise<void> {
    await Promise.all([...record.files.map((f) => rm(f.path, { force: true })), rm(path.join(this.dir, `${record.info.id}${RECORD}`), { force: true })]);
  }

  /** Records of tus uploads that can go on; every other file in the folder is removed. */
  async recover(): Promise<UploadRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const resumable: UploadRecord[] = [];
    for (const name of names.filter((n) => n.endsWith(RECORD))) {
      const record = await readFile(path.join(this.dir, name), 'utf8')
        .then((text) => JSON.parse(text) as UploadRecord)
        .catch(() => null);
      const complete = record && record.info.state === 'running' && record.destination.method === 'tus' && record.files.length === 1;
      if (complete && names.includes(path.basename(record.files[0]!.path))) resumable.push(record);
    }
    const keep = new Set(resumable.flatMap((r) => [`${r.info.id}${RECORD}`, ...r.files.map((f) => path.basename(f.path))]));
    await Promise.all(names.filter((n) => !keep.has(n)).map((n) => rm(path.join(this.dir, n), { force: true, recursive: true })));
    return resumable;
  }
}
