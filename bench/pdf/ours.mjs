// The scanbridge side of bench/pdf and bench/tiff, through a running service
// as a client would use it: a new session, each file loaded (LoadImages, the
// file as the request body: checked, stored in the buffer), one file saved
// (SaveImages, binary) and written, the session closed.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { TOKEN_HEADER } from '../../packages/protocol/dist/index.js';
import { childrenCpuSeconds, cpuSecondsOf, median, timed } from '../lib/timing.mjs';

/** POSTs one body over a keep-alive `agent`; resolves with the answer's body. */
function post(url, agent, headers, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': body.length } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`${url}: ${res.statusCode} ${Buffer.concat(chunks).toString().slice(0, 300)}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The floor of any service loading files one request each: a process that
 * reads every body and throws it away (bench/upload/receiver.mjs). post(files)
 * answers the milliseconds to send them as throughService sends them.
 */
export async function discardingReceiver() {
  const child = spawn(process.execPath, [fileURLToPath(new URL('../upload/receiver.mjs', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [port] = await once(child.stdout, 'data');
  const url = `http://127.0.0.1:${String(port).trim()}/load`;
  return {
    async post(files, type) {
      const t = performance.now();
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (const file of files) await post(url, agent, { 'content-type': type }, await readFile(file));
      } finally {
        agent.destroy();
      }
      return performance.now() - t;
    },
    stop: () => child.kill(),
  };
}

/**
 * Milliseconds for the whole job at `base` with the administrator `token`:
 * `files` (of content type `type`) loaded, saved with `save` (SaveImages params) to `out`.
 */
export async function throughService(base, token, out, files, { type = 'image/jpeg', save = { format: 'pdf' } } = {}) {
  const t = performance.now();
  // One keep-alive connection for the job, closed after it: one the service closed while idle
  // (between rounds) would fail the next request.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (where, type, body) => post(`${base}${where}`, agent, { [TOKEN_HEADER]: token, 'content-type': type }, body);
  const call = (scope, method, body) => send(`/${scope}/${method}`, 'application/json', Buffer.from(JSON.stringify(body)));
  try {
    const session = JSON.parse(await call('fa', 'CreateSession', { params: {} })).result[0].id;
    for (const file of files) await send(`/f/LoadImages?id=${session}&params=${encodeURIComponent('{}')}`, type, await readFile(file));
    await writeFile(out, await call('f', 'SaveImages', { id: session, params: { ...save, binary: true } }));
    await call('f', 'CloseSession', { id: session, params: {} });
  } finally {
    agent.destroy();
  }
  return performance.now() - t;
}

/**
 * One round of bench/pdf or bench/tiff on a content set `s`: the peer's
 * command (`[cmd, args]`, its own process) and our `job` through the
 * service whose process is `pid`, each timed and its CPU seconds taken
 * (ours: the service's, all its threads, and this client's, which reads and
 * sends the files); then the same files sent to `floor`.
 */
export async function round(s, peer, job, pid, floor, type) {
  const c0 = childrenCpuSeconds();
  s.theirs.push(timed(...peer));
  s.theirsCpu.push(childrenCpuSeconds() - c0);
  const service0 = cpuSecondsOf(pid);
  const client0 = process.cpuUsage();
  s.ours.push(await job());
  const client = process.cpuUsage(client0);
  s.oursCpu.push(cpuSecondsOf(pid) - service0 + (client.user + client.system) / 1e6);
  s.floor.push(await floor.post(s.files, type));
}

/** The CPU and transport-floor line of a content set after its rounds (no target: not a row of the bench table). */
export function cpuLine(s, peerName) {
  const cpu = Number.isFinite(median(s.oursCpu)) ? `CPU seconds ${peerName} median ${median(s.theirsCpu).toFixed(2)}, scanbridge (service and client) median ${median(s.oursCpu).toFixed(2)}, ratio ${median(s.oursCpu.map((x, i) => x / s.theirsCpu[i])).toFixed(2)}x; ` : '';
  return `${s.content}: ${cpu}the same files sent one request each to a process that discards them: median ${median(s.floor).toFixed(0)} ms, ${median(s.floor.map((x, i) => x / s.theirs[i])).toFixed(2)}x ${peerName}'s time (the floor of loading through HTTP)`;
}
