/**
 * Encrypted page files of one session folder: `<pageId>.<version>.sbc`.
 * A new version is a new file, so a crash while replacing a page can never
 * leave a half-written file under a name the journal points to.
 */
import { join } from 'node:path';
import { ScanbridgeError } from '@scanbridge/protocol/core';
import { CipherError, open, sealParts } from './cipher.js';
import { type Lease, pageReader, ReadFailure } from './page-reader.js';
import { withFileBytes } from './read-pool.js';
import { type BufferIO, type BufferLog, nodeIO, storageError } from './storage.js';

export const PAGE_FILE = /^([A-Za-z0-9_-]{1,64})\.([1-9][0-9]{0,15})\.sbc$/;

export function pageFileName(id: string, version: number): string {
  return `${id}.${version}.sbc`;
}

export class PageFiles {
  constructor(
    readonly dir: string,
    private readonly sessionId: string,
    private readonly key: Buffer,
    private readonly io: BufferIO,
    private readonly log: BufferLog,
  ) {}

  path(id: string, version: number): string {
    return join(this.dir, pageFileName(id, version));
  }

  // Session, page and version are authenticated: a file copied over another
  // page's name, or an old version put back, fails to open.
  #aad(id: string, version: number): string {
    return `scanbridge-page\0${this.sessionId}\0${id}\0${version}`;
  }

  /**
   * Resolves once the data is in the OS: no fsync, on purpose. The journal
   * promises survival of a killed service (kill -9), and a killed process's
   * writes are already in the kernel's page cache; surviving power loss would
   * cost an fsync per page and is not promised.
   */
  async write(id: string, version: number, bytes: Buffer): Promise<void> {
    const sealed = sealParts(this.key, bytes, this.#aad(id, version));
    try {
      await this.io.writeFile(this.path(id, version), sealed, { mode: 0o600 });
    } catch (err) {
      await this.delete(id, version, true);
      throw storageError(err, this.dir, `write page ${id}`);
    }
  }

  /**
   * Throws buffer-storage-failed when the file is missing or unreadable, and
   * page-damaged when it was altered (it fails authentication): the folder is
   * fine, that page is not. The file is read into a pooled buffer; only the
   * plaintext is a new one.
   */
  async read(id: string, version: number): Promise<Buffer> {
    let opened: Buffer | CipherError;
    try {
      opened = await withFileBytes(this.io, this.path(id, version), (sealed) => {
        try {
          return open(this.key, sealed, this.#aad(id, version));
        } catch (err) {
          if (err instanceof CipherError) return err;
          throw err;
        }
      });
    } catch (err) {
      throw storageError(err, this.dir, `read page ${id}`);
    }
    if (opened instanceof CipherError) throw this.#damaged(id, opened);
    return opened;
  }

  /**
   * The page as a lease (page-reader.ts): read and decrypted off the event
   * loop into a reused slot; `size` is the plaintext's length, as stored in
   * the page's metadata. Falls back to read() (an owned buffer, release does
   * nothing) when no slot is free, and when the folder's file system calls
   * are not Node's own (tests inject failures there). Throws as read() does.
   */
  async lease(id: string, version: number, size: number): Promise<Lease> {
    if (this.io === nodeIO) {
      let leased: Lease | null = null;
      try {
        leased = await pageReader.read(this.path(id, version), this.key, this.#aad(id, version), size);
      } catch (err) {
        if (err instanceof ReadFailure && err.kind === 'cipher') throw this.#damaged(id, new CipherError(err.message));
        if (err instanceof ReadFailure && err.kind === 'fs') {
          throw storageError(Object.assign(new Error(err.message), err.code ? { code: err.code } : {}), this.dir, `read page ${id}`);
        }
        // The thread died or the page outgrew its slot: read it the ordinary way.
      }
      if (leased) return leased;
    }
    return { bytes: await this.read(id, version), release: () => undefined, owned: true };
  }

  #damaged(id: string, cause: CipherError): ScanbridgeError {
    return new ScanbridgeError('page-damaged', `page ${id}: its file in the cache folder ${this.dir} was altered or replaced (${cause.message})`, { folder: this.dir }, { cause });
  }

  /** Best effort: a file left behind is an orphan that recovery deletes. */
  async delete(id: string, version: number, quiet = false): Promise<void> {
    try {
      await this.io.unlink(this.path(id, version));
    } catch (err) {
      if (!quiet && (err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.log('warn', 'could not delete an old page file; it will be removed at the next start', { file: this.path(id, version), error: String(err) });
      }
    }
  }

  async deleteAll(pages: Iterable<{ id: string; version: number }>): Promise<void> {
    const list = [...pages];
    // Bounded concurrency: clearing thousands of pages must not queue thousands of unlinks at once.
    for (let i = 0; i < list.length; i += 32) {
      await Promise.all(list.slice(i, i + 32).map((p) => this.delete(p.id, p.version)));
    }
  }
}
