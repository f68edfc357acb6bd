/**
 * The SANE discovery worker forked early (supervisor/worker-fork.ts says
 * why): `scanbridge run` calls this as soon as it has read the settings,
 * before loading the driver, which takes the worker over with its first look.
 */
import { fileURLToPath } from 'node:url';
import { forkWorker, type ForkedWorker } from '../../supervisor/worker-fork.js';

/** Every SANE worker's entry (discovery and one per open device). */
export const SANE_WORKER_ENTRY = fileURLToPath(new URL('./sane-worker-main.js', import.meta.url));

/** The arguments of a discovery worker for this libsane ('' for the platform's own). */
export const discoveryArgs = (library: string): string[] => [library, 'discovery'];

export function forkSaneDiscovery(library: string): ForkedWorker {
  // Listing scanners can wait for the service's own start (util/background-priority.ts).
  return forkWorker(SANE_WORKER_ENTRY, discoveryArgs(library), undefined, { background: true });
}
