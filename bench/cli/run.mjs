#!/usr/bin/env node
// bench/cli: start-up time of the `scanbridge` command, which loads only what
// the command needs. Wall time of the whole process (Node's own start
// included, shown on its own line), median of the rounds, beside the targets
// of issue 18.9: `--version` <= 0.3 s, `status` <= 0.5 s (against a running
// service, and with none running).
//   node bench/cli/run.mjs [--rounds N]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../lib/timing.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' } } });
const ROUNDS = Number(values.rounds);
const BIN = fileURLToPath(new URL('../../packages/service/bin/scanbridge.js', import.meta.url));

/** Median wall milliseconds of `node args` as its own process; `ok` lists the accepted exit codes. */
function time(args, env, ok = [0]) {
  const ms = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    ms.push(performance.now() - t);
    if (!ok.includes(r.status)) throw new Error(`${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  }
  return median(ms);
}

const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-cli-'));
const idle = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-cli-idle-'));
const saneDir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-nosane-'));
const env = { ...process.env, SCANBRIDGE_HOME: '', SANE_CONFIG_DIR: saneDir };
const service = spawn(process.execPath, [BIN, 'run', '--home', home, '--http-port', '0', '--https-port', '0', '--welcome-http-port', '0', '--welcome-https-port', '0'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
try {
  await new Promise((resolve, reject) => {
    let out = '';
    service.stdout.on('data', (d) => (out += d) && /listening on/.test(out) && resolve());
    service.once('exit', (code) => reject(new Error(`scanbridge run exited with ${code}: ${out}`)));
  });
  const rows = [
    ['node -e 0 (Node itself)', time(['-e', '0'], env), null],
    ['scanbridge --version', time([BIN, '--version'], env), 300],
    ['scanbridge --help', time([BIN, '--help'], env), 300],
    ['scanbridge status (running)', time([BIN, 'status', '--home', home], env), 500],
    ['scanbridge status (stopped)', time([BIN, 'status', '--home', idle], env, [3]), 500],
  ];
  console.log(`median of ${ROUNDS}, wall time of the process (Node ${process.version}):`);
  for (const [label, ms, target] of rows) console.log(`${label.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms${target ? `  target <= ${target} ms  ${ms <= target ? 'ok' : 'OVER'}` : ''}`);
} finally {
  service.kill('SIGTERM');
  await new Promise((r) => service.once('exit', r));
  for (const dir of [home, idle, saneDir]) await rm(dir, { recursive: true, force: true });
}
