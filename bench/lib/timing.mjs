// Timing helpers shared by the benchmarks that run a peer and us as processes.
import { spawnSync } from 'node:child_process';

/** Milliseconds one command takes as its own process (startup included, for both sides alike). */
export function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return performance.now() - t;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
