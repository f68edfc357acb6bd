/**
 * A module imported on first use instead of at start: heavy libraries (PDF,
 * imaging, barcodes, certificates) would otherwise make every start slower
 * and the idle service larger. Types stay static: the loader's `import()` is
 * typed by TypeScript, and callers needing only types use `import type`.
 */
export interface LazyModule<T> {
  /** The module, imported on the first call and shared after. */
  (): Promise<T>;
  /** The module if it was imported already, without importing it. */
  readonly loaded: T | undefined;
}

export function lazyImport<T>(load: () => Promise<T>): LazyModule<T> {
  let promise: Promise<T> | undefined;
  let loaded: T | undefined;
  const get = () =>
    (promise ??= load().then(
      (module) => (loaded = module),
      (err: unknown) => {
        promise = undefined; // a failed import (a missing native library) may be retried
        throw err;
      },
    ));
  return Object.defineProperty(get, 'loaded', { get: () => loaded }) as LazyModule<T>;
}
