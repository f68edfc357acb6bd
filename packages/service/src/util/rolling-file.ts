/**
 * The service log's file, rotated by size and written on the service's own
 * thread. (A pino transport would run the writing in a worker thread: a
 * second JavaScript heap of about 17 MB resident, and its start competing
 * with the service's, for a few lines a minute.) Writes are synchronous, so a
 * line is in the file when the call returns and nothing is lost on a crash.
 *
 * Files are `<name>.<n><extension>` (scanbridge.1.log, scanbridge.2.log...):
 * numbering goes on after the highest found, a file that would pass `maxBytes`
 * is closed for the next, and only the newest `maxFiles` are kept.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readdirSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';

export interface RollingFileOptions {
  dir: string;
  name: string;
  extension: string;
  maxBytes: number;
  maxFiles: number;
}

export class RollingFile {
  #fd: number | null = null;
  #size = 0;
  #number: number;

  constructor(private readonly opts: RollingFileOptions) {
    mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
    this.#number = Math.max(1, ...this.#numbers());
    this.#open();
  }

  /** pino's stream interface. A line that cannot be written (a full disk) is dropped: logging never fails the service. */
  write(line: string): boolean {
    if (this.#fd === null) return true;
    try {
      const bytes = Buffer.byteLength(line);
      if (this.#size > 0 && this.#size + bytes > this.opts.maxBytes) this.#roll();
      writeSync(this.#fd!, line);
      this.#size += bytes;
    } catch {
      // dropped, see above
    }
    return true;
  }

  close(): void {
    if (this.#fd !== null) closeSync(this.#fd);
    this.#fd = null;
  }

  #file(n: number): string {
    return path.join(this.opts.dir, `${this.opts.name}.${n}${this.opts.extension}`);
  }

  #numbers(): number[] {
    const pattern = new RegExp(`^${escape(this.opts.name)}\\.(\\d+)${escape(this.opts.extension)}$`);
    return readdirSync(this.opts.dir).flatMap((f) => {
      const m = pattern.exec(f);
      return m ? [Number(m[1])] : [];
    });
  }

  #open(): void {
    this.#fd = openSync(this.#file(this.#number), 'a', 0o600);
    this.#size = fstatSync(this.#fd).size;
  }

  #roll(): void {
    this.close();
    this.#number++;
    this.#open();
    for (const n of this.#numbers().sort((a, b) => b - a).slice(this.opts.maxFiles)) unlinkSync(this.#file(n));
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
