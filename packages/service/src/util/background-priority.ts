/**
 * The niceness of helper processes whose work can wait a little: the SANE
 * discovery worker and the camera tools' probe. They start with the service
 * and need about 0.3 s of CPU between them; on a 2-core desk PC at normal
 * priority they took a core from the service's own start, which then became
 * ready 0.1-0.3 s later (bench/startup). Scanning workers keep the normal
 * priority: a page must not wait for other programs. (A user may raise a
 * process's niceness but not lower it again, so this is for good.)
 */
import type { ChildProcess } from 'node:child_process';
import { getPriority, setPriority } from 'node:os';

/** How much nicer than the service itself such a helper runs (an administrator who starts the service nice gets its helpers nicer still). */
export const BACKGROUND_NICENESS = 10;

/** The niceness of a background helper of this process (19 is the lowest priority). */
export const backgroundNiceness = (): number => Math.min(19, getPriority() + BACKGROUND_NICENESS);

/** Lower the priority of a child just spawned (nothing happens where the system refuses). */
export function runInBackground(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    setPriority(child.pid, backgroundNiceness());
  } catch {
    // Gone already, or not allowed: it then runs at normal priority, as before.
  }
}
