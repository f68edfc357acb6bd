/**
 * V8's compiled code of the modules, kept between starts in the service
 * folder where Node can (module.enableCompileCache, Node 22.1 and later): a
 * start then reads the code instead of parsing about 1.8 MB of JavaScript,
 * most of the CPU a start spends loading modules (bench/startup). Node 20 has
 * no such cache and starts as before. Node checks each entry against the
 * source it was made from and ignores one that does not match, so a new build
 * never runs old code.
 */
import { existsSync } from 'node:fs';
import module from 'node:module';
import path from 'node:path';

type Enable = (dir: string) => unknown;

/** Call before the modules to cache are imported. */
export function enableCompileCache(home: string): void {
  const enable = (module as unknown as { enableCompileCache?: Enable }).enableCompileCache;
  // Only in a service folder that exists: made here, it would not get the private mode the service gives it (config/paths.ts).
  if (typeof enable !== 'function' || !existsSync(home)) return;
  try {
    enable(path.join(home, 'compile-cache'));
  } catch {
    // A folder that cannot be written (read-only home) only means no cache.
  }
}
