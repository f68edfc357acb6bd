/**
 * Runs `fn` on up to `limit` items of an async sequence at once and yields
 * the results in order. Encoders use it to keep a few pages in flight
 * (libvips and zlib work on other threads meanwhile) while memory holds at
 * most `limit` pages, however many there are.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T>, limit: number, fn: (item: T, index: number) => Promise<R>): AsyncGenerator<R> {
  const it = source[Symbol.asyncIterator]();
  const inFlight: Promise<R>[] = [];
  let index = 0;
  let exhausted = false;
  const pull = async () => {
    const next = await it.next();
    if (next.done) {
      exhausted = true;
      return;
    }
    const p = fn(next.value, index++);
    // Awaited in order below; this keeps an early failure from being reported as unhandled.
    p.catch(() => undefined);
    inFlight.push(p);
  };
  try {
    while (!exhausted && inFlight.length < limit) await pull();
    while (inFlight.length > 0) {
      const result = await inFlight.shift()!;
      if (!exhausted) await pull();
      yield result;
    }
  } finally {
    if (!exhausted) await it.return?.();
  }
}
