/**
 * How a stored page crosses from the SANE worker to the service: the worker
 * writes its bytes to a file in a folder the service made for the scan (in
 * memory, /dev/shm, where there is one), and only the file's name crosses the
 * IPC channel. A noisy A4 page is 26 MB: through the channel it was copied
 * five times (serialized, written to the pipe in 64 KB pieces, read back,
 * joined, deserialized) at about 50 ms of CPU on each side, and the joined
 * message left the page a view into a larger allocation, which the memory
 * cache copied once more. Through a file it is one write and one read into a
 * buffer of its own size.
 *
 * The folder is the service's (mode 0700, named with the service's pid): a
 * page the service has not read is deleted with it when the scan ends, and a
 * folder left by a service that was killed is removed by the next scan.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { alive } from '../../util/port-lock.js';

const PREFIX = 'scanbridge-pages-';
const FOLDER = new RegExp(`^${PREFIX}(\\d+)-`);
/** The names a worker may hand over: page-<n>-<random>.<format>. */
const FILE = /^page-\d{1,9}-[0-9a-f]{8}\.(png|jpeg)$/;

/** Memory-backed where the system has it (Linux); the temporary folder elsewhere. */
async function root(): Promise<string> {
  const shm = '/dev/shm';
  const info = await stat(shm).catch(() => null);
  return info?.isDirectory() ? shm : tmpdir();
}

/** Folders of services that are gone (killed before their scan ended). */
async function sweep(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (name) => {
      const pid = Number(FOLDER.exec(name)?.[1]);
      // Another account's folder (a shared machine) is not ours to remove: that must not fail this scan.
      if (pid > 0 && pid !== process.pid && !alive(pid)) await rm(path.join(dir, name), { recursive: true, force: true }).catch(() => undefined);
    }),
  );
}

export class PageHandover {
  /** Reads under way: a scan that ends at once (its worker crashed) still lets the page being handled be read. */
  private readonly reading = new Set<Promise<unknown>>();

  private constructor(readonly dir: string) {}

  /** A fresh folder for one scan. */
  static async open(): Promise<PageHandover> {
    const base = await root();
    await sweep(base);
    return new PageHandover(await mkdtemp(path.join(base, `${PREFIX}${process.pid}-`)));
  }

  /** The page the worker wrote as `name`, read and deleted. */
  async take(name: string): Promise<Buffer> {
    if (!FILE.test(name)) throw new ScanbridgeError('internal-error', `the SANE worker handed over a page as "${name.slice(0, 80)}", which is not a page file name`);
    const file = path.join(this.dir, name);
    const read = readFile(file).finally(() => unlink(file).catch(() => undefined));
    this.reading.add(read);
    try {
      return await read;
    } finally {
      this.reading.delete(read);
    }
  }

  /** Deletes the folder and any page in it not taken (a scan that failed or was cancelled). */
  async close(): Promise<void> {
    await Promise.allSettled(this.reading);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/** Worker side: a fresh name for a page's file in the scan's folder (the name to send). */
export function handoverName(page: number, format: 'png' | 'jpeg'): string {
  return `page-${page}-${randomBytes(4).toString('hex')}.${format}`;
}

/** Worker side: write a page's bytes into the scan's folder; answers the name to send. */
export async function handOver(dir: string, page: number, format: 'png' | 'jpeg', bytes: Uint8Array): Promise<string> {
  const name = handoverName(page, format);
  await writeFile(path.join(dir, name), bytes, { mode: 0o600, flag: 'wx' });
  return name;
}
