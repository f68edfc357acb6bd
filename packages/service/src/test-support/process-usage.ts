/** What a process holds, read from /proc (Linux): resident memory and open file descriptors. */
import { readdir, readFile } from 'node:fs/promises';

export interface ProcessUsage {
  rssMB: number;
  fds: number;
}

export async function processUsage(pid: number): Promise<ProcessUsage> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { rssMB: Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024, fds: (await readdir(`/proc/${pid}/fd`)).length };
}
