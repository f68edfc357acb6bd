/**
 * Gives memory back while the service works and once it falls quiet. V8
 * frees the native memory behind dead JavaScript objects (zlib streams,
 * Buffers, images) only when it collects them, it collects the old
 * generation lazily, and glibc keeps what is freed in its arenas. Node 24 is
 * lazier than Node 20 on each count (its zlib alone: 32000 small deflates
 * leave 100 MB resident against Node 20's 20 MB): in a session soak whose
 * JavaScript heap stayed at 29 MB, resident memory swung by 20–50 MB from one
 * moment to the next, above Node 20's by as much.
 *
 * So after work the service collects (a major GC, run as a V8 task rather
 * than inside a request) and then trims glibc's arenas: at most every
 * `everyMs` while requests keep coming, and once `quietMs` after the last.
 * An idle service does nothing. Trimming loads koffi, so it is skipped until
 * the image library has been used: before that there is little to give back.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { sharpLoaded } from '../imaging/sharp.js';
import { trimMemory } from './trim-memory.js';

type Collect = (options: { type: 'major'; execution: 'async' }) => Promise<void>;
let collector: Collect | null | undefined;

/** A major GC, without --expose-gc on the command line: the flag exposes `gc` to new contexts only, never to the service's own global. */
export async function collectGarbage(): Promise<void> {
  if (collector === undefined) {
    try {
      v8.setFlagsFromString('--expose-gc');
      collector = vm.runInNewContext('gc') as Collect;
    } catch {
      collector = null;
    }
  }
  await collector?.({ type: 'major', execution: 'async' });
}

async function upkeep(): Promise<void> {
  await collectGarbage();
  if (sharpLoaded()) await trimMemory();
}

export interface UpkeepTiming {
  /** While requests keep coming, at most this often. */
  everyMs: number;
  /** After the last request, once, this much later. */
  quietMs: number;
}

export class MemoryUpkeep {
  #busySince: number | null = null;
  #lastTouch = 0;
  #quiet: NodeJS.Timeout | null = null;
  #running = false;

  constructor(
    private readonly work: () => Promise<void> = upkeep,
    private readonly timing: UpkeepTiming = { everyMs: 10_000, quietMs: 2_000 },
  ) {}

  /** Some work has been done (a request answered). */
  touch(): void {
    const now = Date.now();
    this.#busySince ??= now;
    this.#lastTouch = now;
    // One timer for a whole burst: when it fires early it waits for the rest of the quiet time.
    this.#quiet ??= this.#wait(this.timing.quietMs);
    if (now - this.#busySince >= this.timing.everyMs) this.#run();
  }

  #wait(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      this.#quiet = null;
      const left = this.#lastTouch + this.timing.quietMs - Date.now();
      if (left > 0) this.#quiet = this.#wait(left);
      else this.#run();
    }, ms).unref();
  }

  /** No more upkeep (the service stops). */
  stop(): void {
    if (this.#quiet) clearTimeout(this.#quiet);
    this.#quiet = null;
    this.#busySince = null;
  }

  #run(): void {
    if (this.#running || this.#busySince === null) return;
    this.stop();
    this.#running = true;
    this.work()
      .catch(() => undefined)
      .finally(() => (this.#running = false));
  }
}

/** The service's upkeep; the HTTP layer touches it after every answer. */
export const memoryUpkeep = new MemoryUpkeep();
