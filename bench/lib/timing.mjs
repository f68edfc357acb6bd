// Timing helpers shared by the benchmarks that run a peer and us as processes.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Milliseconds one command takes as its own process (startup included, for both sides alike). */
export function timed(cmd, args) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return performance.now() - t;
}

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** CPU seconds (user + system) of process `pid` so far, from /proc (Linux); null where there is none. */
export function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** CPU seconds of this process's children that have ended (each `timed` command), from /proc; null where there is none. */
export function childrenCpuSeconds() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, what /proc counts CPU time in. */
const CLOCK_TICKS = 100;
