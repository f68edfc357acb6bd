/**
 * Preloaded into a service process (`--import`) by tests that check what it
 * loads: every module the process loads is appended to the file named by
 * SCANBRIDGE_MODULE_TRACE, one "<pid> <url>" a line for the process's main
 * thread, "<pid>:<thread id> <url>" for its worker threads where Node tells
 * them apart. ES modules are seen by loader hooks: where Node has
 * module.registerHooks (22.15 and later), they run on the thread that loads,
 * so each thread (workers preload this file too) writes its own lines;
 * otherwise by module.register's hooks, which run on Node's loader thread and
 * on Node 20 see the main thread only. The file is written synchronously as
 * each module loads. CommonJS files a package `require`s inside itself
 * (fastify's schema compilers, say) never reach module.register's hooks on
 * Node 20, so `Module._load` is wrapped as well.
 */
import { appendFileSync } from 'node:fs';
import Module, { register } from 'node:module';
import { pathToFileURL } from 'node:url';
import { isMainThread, threadId } from 'node:worker_threads';

interface LoadContext {
  format?: string | null;
}
type NextLoad = (url: string, context: LoadContext) => Promise<unknown>;

const file = process.env.SCANBRIDGE_MODULE_TRACE;

export async function load(url: string, context: LoadContext, next: NextLoad): Promise<unknown> {
  if (file) appendFileSync(file, `${process.pid} ${url}\n`);
  return next(url, context);
}

type Loader = (request: string, parent: { filename?: string | null } | undefined, isMain: boolean) => unknown;
const cjs = Module as unknown as { _load: Loader; _resolveFilename: (request: string, parent: unknown, isMain: boolean) => string };

type SyncLoad = (url: string, context: LoadContext, next: (url: string, context: LoadContext) => unknown) => unknown;
const registerHooks = (Module as unknown as { registerHooks?: (hooks: { load: SyncLoad }) => unknown }).registerHooks;

// Every process registers its own: the service's device workers inherit NODE_OPTIONS, and a
// service restarted in place (process.execve) starts over.
if (file && typeof registerHooks === 'function') {
  const tag = isMainThread ? `${process.pid}` : `${process.pid}:${threadId}`;
  registerHooks({
    load(url, context, next) {
      appendFileSync(file, `${tag} ${url}\n`);
      return next(url, context);
    },
  });
} else if (file && isMainThread) {
  // Preloaded on the main thread: register this same file as the loader's hooks (which run it again on the loader's thread).
  register(import.meta.url);
}
if (file && isMainThread) {
  const original = cjs._load;
  cjs._load = function traced(request, parent, isMain) {
    let resolved: string | null = null;
    try {
      resolved = cjs._resolveFilename(request, parent, isMain);
    } catch {
      // Left for the real loader to report.
    }
    if (resolved?.startsWith('/')) appendFileSync(file, `${process.pid} ${pathToFileURL(resolved).href}\n`);
    return original.call(this, request, parent, isMain);
  };
}
