/**
 * How a background job (a scan, an upload) ends, as its `done` promise shows
 * it: resolved with the job's last state, or rejected with its typed error.
 * The promise is made on first use, so a job whose `done` nobody reads never
 * causes an unhandled rejection.
 */
import type { ScanbridgeError } from '@scanbridge/protocol';

export class Ending<T> {
  #ended = false;
  #error: ScanbridgeError | null = null;
  #done: Promise<T> | null = null;
  readonly #waiters: Array<() => void> = [];

  constructor(private readonly last: () => T) {}

  get ended(): boolean {
    return this.#ended;
  }

  get error(): ScanbridgeError | null {
    return this.#error;
  }

  get done(): Promise<T> {
    return (this.#done ??= new Promise<void>((resolve) => (this.#ended ? resolve() : this.#waiters.push(resolve))).then(() => {
      if (this.#error) throw this.#error;
      return this.last();
    }));
  }

  /** Ends with `error` (null: success); false when it had already ended. */
  end(error: ScanbridgeError | null): boolean {
    if (this.#ended) return false;
    this.#ended = true;
    this.#error = error;
    this.#waiters.splice(0).forEach((resolve) => resolve());
    return true;
  }
}
