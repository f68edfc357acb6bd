// Runs curl for bench/upload/run.mjs from a small process of its own: spawned from
// the bench, which holds the service and its pages (hundreds of MB resident), each
// curl began with a fork of all that memory, 50-100 ms counted as curl's time.
// Reads one JSON array of curl's arguments a line; answers a JSON line with curl's
// exit code, its wall time from spawn to exit, and its CPU time (reaped children's).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { childrenCpuSeconds } from '../lib/timing.mjs';

for await (const line of createInterface({ input: process.stdin })) {
  const cpu = childrenCpuSeconds();
  const t = performance.now();
  const child = spawn('curl', JSON.parse(line), { stdio: 'ignore' });
  const [code] = await once(child, 'exit');
  const ms = performance.now() - t;
  const after = childrenCpuSeconds();
  process.stdout.write(`${JSON.stringify({ code, ms, cpuMs: cpu === null || after === null ? null : (after - cpu) * 1000 })}\n`);
}
