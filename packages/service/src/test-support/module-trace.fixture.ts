/**
 * Preloaded into a service process (`--import`) by tests that check what it
 * loads: every ES module the process imports is appended to the file named
 * by SCANBRIDGE_MODULE_TRACE, one "<pid> <url>" a line. The hooks run on
 * Node's loader thread, so the file is written synchronously as each loads.
 */
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

interface LoadContext {
  format?: string | null;
}
type NextLoad = (url: string, context: LoadContext) => Promise<unknown>;

const file = process.env.SCANBRIDGE_MODULE_TRACE;

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<unknown> {
  if (file) appendFileSync(file, `${process.pid} ${url}\n`);
  return next(url, context);
}

// Preloaded on the main thread: register this same file as the loader's hooks (which run
// it again on the loader's thread). Every process registers its own: the service's device
// workers inherit NODE_OPTIONS, and a service restarted in place (process.execve) starts over.
if (file && isMainThread) register(import.meta.url);
