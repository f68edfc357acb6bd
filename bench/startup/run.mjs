#!/usr/bin/env node
// bench/startup: how quickly `scanbridge run` is ready and how small it is
// while idle. Each round starts a fresh service process on free ports in a
// temporary folder and measures
//   - time to ready: from spawning `scanbridge run` to its "listening on" line
//     (printed once every listener is open and port.lock names the ports),
//   - the first ListDevices: sent at once after ready, until its answer,
//   - idle resident memory (VmRSS): after that call and a second of quiet.
// Prints min/median/max of the rounds beside the targets of issue 11.8
// (valueLine, the form `npm run bench` collects), and the CPU time the
// start took: user + system of all the service's threads, which a busy
// machine inflates far less than the wall time.
// SANE looks at an empty configuration folder, as in the tests (probing the
// machine's network backends takes seconds and measures the network, not us);
// --machine-sane keeps the machine's SANE configuration.
// The service runs without NODE_EXTRA_CA_CERTS, as the login registration
// starts it on a desk PC: some machines (this project's build machines, behind
// a proxy) set it in their shells to the system's whole CA bundle, which Node
// then parses before the first line of any program, about 80 ms of CPU that
// measures the variable, not scanbridge. Where it is set, each round also
// starts the service with it, printed beside the targets for comparison.
//   node bench/startup/run.mjs [--rounds N] [--machine-sane]
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { valueLine, machineLoad } from '../lib/report.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, 'machine-sane': { type: 'boolean', default: false } } });
const ROUNDS = Number(values.rounds);
const BIN = fileURLToPath(new URL('../../packages/service/bin/scanbridge.js', import.meta.url));
const TARGETS = { readyMs: 500, idleRssMB: 80, listDevicesMs: 50 };

const rssMB = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
/** CPU time (user + system, all threads) of a process so far, in ms: steadier than wall time on a busy machine. */
const cpuMs = async (pid) => {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
};

// This process's own first fetch loads undici; do it before timing the service's.
const warm = createServer((_, res) => res.end('ok')).listen(0, '127.0.0.1');
await new Promise((r) => warm.once('listening', r));
await (await fetch(`http://127.0.0.1:${warm.address().port}/`)).text();
warm.close();

const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...deskEnv } = process.env;

async function round({ withExtraCaCerts = false } = {}) {
  const home = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-startup-'));
  const saneDir = await mkdtemp(path.join(tmpdir(), 'scanbridge-bench-nosane-'));
  const env = { ...deskEnv, ...(withExtraCaCerts ? { NODE_EXTRA_CA_CERTS: extraCaCerts } : {}), SCANBRIDGE_HOME: '', ...(values['machine-sane'] ? {} : { SANE_CONFIG_DIR: saneDir }) };
  const flags = ['--http-port', '0', '--https-port', '0', '--welcome-http-port', '0', '--welcome-https-port', '0'];
  // The folder is prepared once (certificate, keys, ini), as on every start but the very first.
  const first = spawn(process.execPath, [BIN, 'run', '--home', home, ...flags], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  await ready(first);
  first.kill('SIGTERM');
  await new Promise((r) => first.once('exit', r));

  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'run', '--home', home, ...flags], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await ready(child);
    const readyMs = performance.now() - t0;
    const readyCpuMs = await cpuMs(child.pid);
    const token = (await readFile(path.join(home, 'cert', 'admin.token'), 'utf8')).trim();
    const t1 = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/fa/ListDevices`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-scanbridge-token': token }, body: '{"params":{}}' });
    const body = await res.json();
    const listDevicesMs = performance.now() - t1;
    if (res.status !== 200) throw new Error(`ListDevices: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 1000));
    return { readyMs, readyCpuMs, listDevicesMs, idleRssMB: await rssMB(child.pid), devices: body.result[0].length };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(home, { recursive: true, force: true });
    await rm(saneDir, { recursive: true, force: true });
  }
}

/** The API port, from the line `scanbridge run` prints once it listens. */
function ready(child) {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`scanbridge run exited with ${code} before it was ready: ${out}`)));
  });
}

console.log(`before: ${machineLoad()}`);
const rounds = [];
const extraRounds = [];
const describe = (r) => `ready ${r.readyMs.toFixed(0)} ms (CPU ${r.readyCpuMs.toFixed(0)} ms), first ListDevices ${r.listDevicesMs.toFixed(1)} ms (${r.devices} devices), idle RSS ${r.idleRssMB.toFixed(1)} MB`;
for (let i = 0; i < ROUNDS; i++) {
  const r = await round();
  rounds.push(r);
  console.log(`round ${i + 1}: ${describe(r)}`);
  if (extraCaCerts) {
    const e = await round({ withExtraCaCerts: true });
    extraRounds.push(e);
    console.log(`round ${i + 1} with NODE_EXTRA_CA_CERTS: ${describe(e)}`);
  }
}
console.log(`after: ${machineLoad()}`);
console.log(`Node ${process.version}, ${ROUNDS} rounds, ${values['machine-sane'] ? "the machine's SANE configuration" : 'an empty SANE configuration'}`);
const of = (key) => rounds.map((r) => r[key]);
console.log(valueLine('startup time to ready', of('readyMs'), `<= ${TARGETS.readyMs} ms`, 0));
console.log(valueLine('startup CPU time to ready', of('readyCpuMs'), `<= ${TARGETS.readyMs} ms`, 0));
console.log(valueLine('startup idle resident memory', of('idleRssMB'), `<= ${TARGETS.idleRssMB} MB`, 1));
console.log(valueLine('startup first ListDevices', of('listDevicesMs'), `<= ${TARGETS.listDevicesMs} ms`, 1));
if (extraCaCerts) {
  const ready = extraRounds.map((r) => r.readyMs).sort((a, b) => a - b);
  const list = extraRounds.map((r) => r.listDevicesMs).sort((a, b) => a - b);
  console.log(`(with this machine's NODE_EXTRA_CA_CERTS=${extraCaCerts}: time to ready min/median/max ${ready[0].toFixed(0)}/${ready[ready.length >> 1].toFixed(0)}/${ready.at(-1).toFixed(0)} ms, first ListDevices median ${list[list.length >> 1].toFixed(1)} ms)`);
}
