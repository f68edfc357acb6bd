/**
 * Threads a backend starts for a page, and waiting for them to end.
 *
 * Backends built on sanei_thread (SANE's `test` backend among them) read each
 * page in a thread of their own that runs with asynchronous cancellation, and
 * cancel it at the next sane_start or sane_cancel. A thread cancelled while it
 * is already exiting can die inside the C library's malloc holding an arena
 * lock, and the worker then hangs at its next allocation (seen about once in
 * 400 A4 pages at 300 dpi). The reader has delivered the whole page when
 * sane_read reports its end, so waiting the moment it takes to exit before
 * calling the backend again closes that window. Linux only (/proc); elsewhere
 * nothing is waited for.
 */
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** The ids of this process's threads now, empty where /proc has no task list. */
export function threadIds(): Set<string> {
  try {
    return new Set(readdirSync('/proc/self/task'));
  } catch {
    return new Set();
  }
}

/** Threads in `after` that were not in `before`: those a call started (and that still run). */
export function startedBetween(before: Set<string>, after: Set<string>): Set<string> {
  return new Set([...after].filter((id) => !before.has(id)));
}

/**
 * Resolves once none of `threads` runs any more, or after `limitMs` (a thread
 * that lives on, such as an image library's worker started meanwhile, only
 * costs that wait).
 */
export async function threadsEnded(threads: Set<string>, limitMs = 100): Promise<void> {
  if (threads.size === 0) return;
  const until = Date.now() + limitMs;
  for (;;) {
    const now = threadIds();
    if (![...threads].some((id) => now.has(id)) || Date.now() >= until) return;
    await sleep(1);
  }
}
