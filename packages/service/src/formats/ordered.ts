/**
 * Runs `fn` on up to `limit` items of an async sequence at once and yields
 * the results in order. Encoders use it to keep a few pages in flight
 * (libvips and zlib work on other threads meanwhile) while memory holds at
 * most `limit` pages besides the one being written, however many there are.
 *
 * The next item is asked for as a result is handed out, not awaited before:
 * a page read back from the disk cache (read-worker.ts) is read while the
 * one before it is being written. Awaited there, reading and writing took
 * turns and an upload from the cache ran at half the speed of one from memory.
 */
const END = Symbol('end');

export async function* mapOrdered<T, R>(source: AsyncIterable<T>, limit: number, fn: (item: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const it = source[Symbol.asyncIterator]();
  const inFlight: Promise<R | typeof END>[] = [];
  let index = 0;
  let exhausted = false;
  let stopped = false;
  // The source is asked for one item at a time, in order (an iterator need not take overlapping calls).
  let asking: Promise<unknown> = Promise.resolve();
  const pull = () => {
    const next = asking.then(() => (exhausted || stopped ? ({ done: true, value: undefined } as const) : it.next()));
    // A source that failed is not asked again: the failure is reported at its place in the order.
    asking = next.then(
      (n) => void (n.done && (exhausted = true)),
      () => void (exhausted = true),
    );
    const result = next.then(async (n): Promise<R | typeof END> => (n.done || stopped ? END : fn(n.value, index++)));
    // Awaited in order below; this keeps an early failure from being reported as unhandled.
    result.catch(() => undefined);
    inFlight.push(result);
  };
  try {
    for (let i = 0; i < limit; i++) pull();
    for (;;) {
      const result = await inFlight.shift()!;
      if (result === END) return;
      pull();
      yield result;
    }
  } finally {
    stopped = true;
    await asking;
    if (!exhausted) await it.return?.();
  }
}
