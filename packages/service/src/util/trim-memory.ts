/**
 * Gives freed heap memory back to the system. glibc keeps what large
 * decodes freed in its arenas (the worker threads' too), so after a peak
 * the service would stay at its high-water mark for hours; malloc_trim
 * returns it. Linux with glibc only (koffi, loaded on first use); elsewhere,
 * and when koffi cannot load, it does nothing.
 */
type Trim = (pad: number) => number;

let trim: Trim | null | undefined;

async function load(): Promise<Trim | null> {
  if (process.platform !== 'linux') return null;
  try {
    // musl has no libc.so.6 (and no malloc_trim): the load fails and trimming is skipped.
    const koffi = (await import('koffi')).default;
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as Trim;
  } catch {
    return null;
  }
}

let loading: Promise<Trim | null> | undefined;

export async function trimMemory(): Promise<void> {
  if (trim === undefined) trim = await (loading ??= load());
  trim?.(0);
}
